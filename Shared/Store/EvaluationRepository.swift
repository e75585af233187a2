import Domain
import Foundation

/// Typed access to the `evaluations` table: the scorer records a model's Dice on a test case in
/// the transaction that finishes its job; the orchestrator tests equivalence on them and reports
/// read them per round.
public enum EvaluationRepository {
    /// Stores a model's Dice on a test case.
    public static func insert(
        modelID: ModelID, caseID: CaseID, datasetID: DatasetID, dice: Double, on db: some PostgresQuerying
    ) async throws {
        try await db.query(
            """
            INSERT INTO evaluations (model_id, case_id, dataset_id, dice)
            VALUES (\(modelID), \(caseID), \(datasetID), \(dice))
            """)
    }

    /// A model's Dice on every test case evaluated so far, by case id.
    public static func dice(of modelID: ModelID, on db: some PostgresQuerying) async throws -> [CaseID: Double] {
        var dice: [CaseID: Double] = [:]
        for row in try await db.query("SELECT case_id, dice FROM evaluations WHERE model_id = \(modelID)") {
            dice[try row.decode("case_id")] = try row.decode("dice")
        }
        return dice
    }

    /// The full-data reference's Dice on every test case evaluated so far, by case id: the scorer
    /// scores the reference as the ensemble of its members and stores each case's Dice under its
    /// first member, so this reads whichever member holds them.
    public static func referenceDice(
        datasetID: DatasetID, profile: ProfileName, on db: some PostgresQuerying
    ) async throws -> [CaseID: Double] {
        var dice: [CaseID: Double] = [:]
        for row in try await db.query(
            """
            SELECT e.case_id, e.dice FROM evaluations e JOIN models m ON m.id = e.model_id
            WHERE m.dataset_id = \(datasetID) AND m.profile = \(profile.rawValue) AND m.is_full_data_reference
            """)
        {
            dice[try row.decode("case_id")] = try row.decode("dice")
        }
        return dice
    }

    /// The test Dice of every finished round of the experiment, in round order; a round still
    /// running, or finished without evaluations, is left out.
    public static func finishedRounds(
        of experimentID: ExperimentID, on db: some PostgresQuerying
    ) async throws -> [RoundEvaluationRecord] {
        var rounds: [Int: RoundEvaluationRecord] = [:]
        for row in try await db.query(
            """
            SELECT r.round_index, r.annotated_count, e.case_id, avg(e.dice) AS dice
            FROM rounds r
            JOIN models m ON m.experiment_id = r.experiment_id AND m.round_index = r.round_index
            JOIN evaluations e ON e.model_id = m.id
            WHERE r.experiment_id = \(experimentID) AND r.phase = 'finished'
            GROUP BY r.round_index, r.annotated_count, e.case_id
            """)
        {
            let index: Int = try row.decode("round_index")
            let annotatedCount: Int = try row.decode("annotated_count")
            var round =
                rounds[index] ?? RoundEvaluationRecord(roundIndex: index, annotatedCount: annotatedCount, dice: [:])
            round.dice[try row.decode("case_id")] = try row.decode("dice")
            rounds[index] = round
        }
        return rounds.keys.sorted().map { rounds[$0]! }
    }
}
