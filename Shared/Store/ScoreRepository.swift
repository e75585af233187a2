import Domain
import Foundation

/// Typed access to the `scores` and `features` tables: the scorer records a pool case's
/// uncertainty and bottleneck features (or an annotated case's features alone) in the transaction
/// that finishes its job; the orchestrator reads a round's to select.
public enum ScoreRepository {
    /// Stores the score and the feature vector of a pool case.
    public static func insert(_ score: ScoreRecord, on db: some PostgresQuerying) async throws {
        try await db.query(
            """
            INSERT INTO scores (experiment_id, round_index, case_id, dataset_id, method, value)
            VALUES (\(score.experimentID), \(score.roundIndex), \(score.caseID), \(score.datasetID), \(score.method), \(score.value))
            """)
        try await insertFeatures(
            experimentID: score.experimentID, roundIndex: score.roundIndex, caseID: score.caseID,
            datasetID: score.datasetID, vector: score.features, on: db)
    }

    /// Stores a case's feature vector in a round. Alone, without a score, it is an annotated case's:
    /// the non-similar restriction compares the round's candidates with it, and it is no candidate.
    public static func insertFeatures(
        experimentID: ExperimentID, roundIndex: Int, caseID: CaseID, datasetID: DatasetID,
        vector: [Float], on db: some PostgresQuerying
    ) async throws {
        try await db.query(
            """
            INSERT INTO features (experiment_id, round_index, case_id, dataset_id, vector)
            VALUES (\(experimentID), \(roundIndex), \(caseID), \(datasetID), \(vector))
            """)
    }

    /// A pool case's stored score and features in a round, if it was scored.
    public static func score(
        experimentID: ExperimentID, roundIndex: Int, caseID: CaseID, on db: some PostgresQuerying
    ) async throws -> ScoreRecord? {
        guard
            let row = try await db.query(
                """
                SELECT s.dataset_id, s.method, s.value, f.vector FROM scores s
                JOIN features f USING (experiment_id, round_index, case_id)
                WHERE s.experiment_id = \(experimentID) AND s.round_index = \(roundIndex) AND s.case_id = \(caseID)
                """
            ).first
        else { return nil }
        return ScoreRecord(
            experimentID: experimentID, roundIndex: roundIndex, caseID: caseID,
            datasetID: try row.decode("dataset_id"), method: try row.decode("method"),
            value: try row.decode("value"), features: try row.decode("vector"))
    }

    /// Uncertainty scores and bottleneck features of a round's pool cases, by case id.
    public static func scores(
        of experimentID: ExperimentID, round: Int, on db: some PostgresQuerying
    ) async throws -> [CaseID: (score: Double, features: [Float])] {
        var scores: [CaseID: (score: Double, features: [Float])] = [:]
        for row in try await db.query(
            """
            SELECT s.case_id, s.value, f.vector FROM scores s
            LEFT JOIN features f USING (experiment_id, round_index, case_id)
            WHERE s.experiment_id = \(experimentID) AND s.round_index = \(round)
            """)
        {
            scores[try row.decode("case_id")] = (
                try row.decode("value"), try row.decode("vector", as: [Float]?.self) ?? []
            )
        }
        return scores
    }

    /// Bottleneck features stored in a round, by case id: the pool cases' and, under the
    /// non-similar restriction, the annotated cases'.
    public static func features(
        of experimentID: ExperimentID, round: Int, on db: some PostgresQuerying
    ) async throws -> [CaseID: [Float]] {
        var features: [CaseID: [Float]] = [:]
        for row in try await db.query(
            """
            SELECT case_id, vector FROM features WHERE experiment_id = \(experimentID) AND round_index = \(round)
            """)
        {
            features[try row.decode("case_id")] = try row.decode("vector")
        }
        return features
    }
}
