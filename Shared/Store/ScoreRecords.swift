import Domain
import Foundation

/// What one score job stores: a pool case's score and features, or a test case's Dice.
public struct ScoreRecord: Sendable, Equatable {
    public var experimentID: ExperimentID
    /// The round the score is used in (> 0), scored with the previous round's models.
    public var roundIndex: Int
    public var caseID: CaseID
    public var datasetID: DatasetID
    /// The experiment's strategy name, e.g. `dropout-train-test`.
    public var method: String
    public var value: Double
    public var features: [Float]

    public init(
        experimentID: ExperimentID, roundIndex: Int, caseID: CaseID, datasetID: DatasetID, method: String,
        value: Double,
        features: [Float]
    ) {
        self.experimentID = experimentID
        self.roundIndex = roundIndex
        self.caseID = caseID
        self.datasetID = datasetID
        self.method = method
        self.value = value
        self.features = features
    }
}

extension PostgresTransaction {
    /// Stores the score and the feature vector of a pool case.
    public func insertScore(_ score: ScoreRecord) async throws {
        try await query(
            """
            INSERT INTO scores (experiment_id, round_index, case_id, dataset_id, method, value)
            VALUES (\(score.experimentID), \(score.roundIndex), \(score.caseID), \(score.datasetID), \(score.method), \(score.value))
            """)
        try await insertFeatures(
            experimentID: score.experimentID, roundIndex: score.roundIndex, caseID: score.caseID,
            datasetID: score.datasetID, vector: score.features)
    }

    /// Stores a case's feature vector in a round. Alone, without a score, it is an annotated case's:
    /// the non-similar restriction compares the round's candidates with it, and it is no candidate.
    public func insertFeatures(
        experimentID: ExperimentID, roundIndex: Int, caseID: CaseID, datasetID: DatasetID,
        vector: [Float]
    ) async throws {
        try await query(
            """
            INSERT INTO features (experiment_id, round_index, case_id, dataset_id, vector)
            VALUES (\(experimentID), \(roundIndex), \(caseID), \(datasetID), \(vector))
            """)
    }

    /// Stores a model's Dice on a test case.
    public func insertEvaluation(modelID: ModelID, caseID: CaseID, datasetID: DatasetID, dice: Double) async throws {
        try await query(
            """
            INSERT INTO evaluations (model_id, case_id, dataset_id, dice)
            VALUES (\(modelID), \(caseID), \(datasetID), \(dice))
            """)
    }
}

extension PostgresClient {
    /// A pool case's stored score and features in a round, if it was scored.
    public func score(experimentID: ExperimentID, roundIndex: Int, caseID: CaseID) async throws -> ScoreRecord? {
        guard
            let row = try await query(
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

    /// A model's Dice on a test case, if it was evaluated.
    public func evaluation(modelID: ModelID, caseID: CaseID) async throws -> Double? {
        try await query("SELECT dice FROM evaluations WHERE model_id = \(modelID) AND case_id = \(caseID)")
            .first.map { try $0.decode("dice") }
    }
}
