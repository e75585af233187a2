import Domain
import Foundation
import Proto
import Statistics

/// The per-case test Dice the scorer stored for experiments' rounds and for the full-data model, as
/// the orchestrator's `Evaluations` rpc answers them: its status and comparison methods return
/// summaries only, and a report needs every case's number.
public struct StoredEvaluations: Sendable {
    /// The strategy as `StrategyName` spells it, by experiment.
    var strategies: [String]
    var evaluations: [StrategyEvaluation]
    var fullDataDice: [String: Double]
    /// Models whose mean probability map the full-data Dice score (its reference ensemble).
    var fullDataMembers: Int
    var trainingPoolSize: Int

    public init(_ set: EvaluationSet) {
        strategies = set.experiments.map { ExperimentText.strategy($0.strategy, $0.restriction) }
        evaluations = zip(set.experiments, strategies).map { experiment, strategy in
            StrategyEvaluation(
                strategy: strategy, repetition: Int(experiment.repetition),
                rounds: experiment.rounds.map { round in
                    RoundEvaluation(
                        round: Int(round.round), annotatedCases: Int(round.annotatedCases),
                        dice: Self.byCase(round.dice))
                })
        }
        fullDataDice = Self.byCase(set.fullData)
        fullDataMembers = Int(set.fullDataMembers)
        trainingPoolSize = Int(set.trainingPoolCases)
    }

    /// The learning-curve analysis of these numbers against the full-data model, random query's
    /// repetitions being the baseline when it is among them (else the first strategy's); nil while
    /// the full-data model has no stored Dice (it is still training, or an unlabelled training
    /// pool has none).
    public func analysis(design: TOSTDesign = .paired) throws -> LearningCurveAnalysis? {
        guard !fullDataDice.isEmpty, let first = strategies.first else { return nil }
        return try LearningCurveAnalysis(
            trainingPoolSize: trainingPoolSize, fullDataDice: fullDataDice,
            strategies: evaluations, baseline: strategies.first { $0 == "random" } ?? first,
            design: design)
    }

    /// The stored Dice of the experiments, which must share one dataset.
    static func read(_ experimentIDs: [ExperimentID], client: ServiceClient) async throws -> StoredEvaluations {
        StoredEvaluations(
            try await client.call(
                OrchestratorRPC.evaluations, .with { $0.experimentIds = experimentIDs.map(\.wireForm) }))
    }

    private static func byCase(_ dice: [CaseDice]) -> [String: Double] {
        Dictionary(dice.map { ($0.caseID, $0.dice) }, uniquingKeysWith: { first, _ in first })
    }
}
