import Domain
import Foundation
import Logging
import Statistics
import Store

/// The per-case test Dice the scorer stored for experiments' rounds and for the full-data model,
/// read straight from PostgreSQL: the orchestrator's rpc methods return summaries only, and a report
/// needs every case's number.
struct StoredEvaluations: Sendable {
    /// The strategy as `StrategyName` spells it, by experiment.
    var strategies: [String]
    var evaluations: [StrategyEvaluation]
    var fullDataDice: [String: Double]
    var trainingPoolSize: Int

    /// The learning-curve analysis of these numbers against the full-data model, random query's
    /// repetitions being the baseline when it is among them (else the first strategy's); nil while
    /// the full-data model has no stored Dice (it is still training, or an unlabelled training
    /// pool has none).
    func analysis(design: TOSTDesign = .paired) throws -> LearningCurveAnalysis? {
        guard !fullDataDice.isEmpty, let first = strategies.first else { return nil }
        return try LearningCurveAnalysis(
            trainingPoolSize: trainingPoolSize, fullDataDice: fullDataDice,
            strategies: evaluations, baseline: strategies.first { $0 == "random" } ?? first,
            design: design)
    }

    static func read(_ experimentIDs: [UUID], environment: [String: String]) async throws -> StoredEvaluations {
        let configuration: PostgresConfiguration
        do {
            configuration = try PostgresConfiguration(environment: environment, applicationName: "activeseg-report")
        } catch {
            throw CommandLineError(
                .unavailable, subject: "PostgreSQL", detail: error.description,
                hint: "run `activeseg stack up` and load its settings (. .stack/env)")
        }
        var logger = Logger(label: "activeseg.report")
        logger.logLevel = .error
        let client = PostgresClient(configuration: configuration, logger: logger)
        do {
            let result = try await read(experimentIDs, on: client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private static func read(_ ids: [UUID], on db: PostgresClient) async throws -> StoredEvaluations {
        var strategies: [String] = []
        var evaluations: [StrategyEvaluation] = []
        var datasets = Set<String>()
        var reference: (dataset: UUID, profile: String)?
        for id in ids {
            guard
                let experiment = try await db.query(
                    """
                    SELECT strategy, restriction, dataset_id, profile, repetition FROM experiments WHERE id = \(id)
                    """
                ).first
            else {
                throw CommandLineError(
                    .usage, subject: "experiment \(id.uuidString.lowercased())", detail: "not on record",
                    hint: "`activeseg experiment list` shows the experiments")
            }
            let strategy = StrategyName(
                strategy: try experiment.decode("strategy"),
                restriction: try experiment.decode("restriction")
            ).description
            let dataset: UUID = try experiment.decode("dataset_id")
            datasets.insert(dataset.uuidString)
            reference = (dataset, try experiment.decode("profile"))
            var rounds: [Int: RoundEvaluation] = [:]
            // A bootstrap round has one model per member; its per-case Dice is their mean.
            for row in try await db.query(
                """
                SELECT r.round_index, r.annotated_count, e.case_id, avg(e.dice) AS dice
                FROM rounds r
                JOIN models m ON m.experiment_id = r.experiment_id AND m.round_index = r.round_index
                JOIN evaluations e ON e.model_id = m.id
                WHERE r.experiment_id = \(id) AND r.phase = 'finished'
                GROUP BY r.round_index, r.annotated_count, e.case_id
                """)
            {
                let round: Int = try row.decode("round_index")
                let caseID: UUID = try row.decode("case_id")
                let annotated: Int = try row.decode("annotated_count")
                var evaluation = rounds[round] ?? RoundEvaluation(round: round, annotatedCases: annotated, dice: [:])
                evaluation.dice[caseID.uuidString.lowercased()] = try row.decode("dice")
                rounds[round] = evaluation
            }
            strategies.append(strategy)
            evaluations.append(
                StrategyEvaluation(
                    strategy: strategy, repetition: try experiment.decode("repetition"),
                    rounds: rounds.keys.sorted().map { rounds[$0]! }))
        }
        guard datasets.count == 1, let reference else {
            throw CommandLineError(
                .usage, subject: "report", detail: "the experiments use \(datasets.count) datasets",
                hint: "compare experiments on one dataset")
        }
        var fullData: [String: Double] = [:]
        for row in try await db.query(
            """
            SELECT e.case_id, e.dice FROM models m JOIN evaluations e ON e.model_id = m.id
            WHERE m.dataset_id = \(reference.dataset) AND m.profile = \(reference.profile) AND m.is_full_data_reference
            """)
        {
            let caseID: UUID = try row.decode("case_id")
            fullData[caseID.uuidString.lowercased()] = try row.decode("dice")
        }
        let pool: Int = try await db.query(
            """
            SELECT count(*)::integer AS n FROM cases
            WHERE dataset_id = \(reference.dataset) AND split = 'train' AND state = 'ingested'
            """)[0].decode("n")
        return StoredEvaluations(
            strategies: strategies, evaluations: evaluations, fullDataDice: fullData,
            trainingPoolSize: pool)
    }
}
