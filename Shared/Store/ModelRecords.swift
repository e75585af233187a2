import Domain
import Foundation

/// A row of `models`: a trained network and what it was trained for.
public struct ModelRecord: Sendable, Equatable {
    public var id: ModelID
    public var datasetID: DatasetID
    /// Nil for the full-data reference model of a dataset and profile.
    public var experimentID: ExperimentID?
    public var roundIndex: Int?
    public var bootstrapMember: Int?
    public var profile: ProfileName
    public var checkpointSHA256: String
    public var trainingCaseCount: Int
    public var epochs: Int
    public var bestValidationDice: Double?
    public var jobID: JobID?

    public init(
        id: ModelID, datasetID: DatasetID, experimentID: ExperimentID?, roundIndex: Int?, bootstrapMember: Int?,
        profile: ProfileName,
        checkpointSHA256: String, trainingCaseCount: Int, epochs: Int, bestValidationDice: Double?, jobID: JobID?
    ) {
        self.id = id
        self.datasetID = datasetID
        self.experimentID = experimentID
        self.roundIndex = roundIndex
        self.bootstrapMember = bootstrapMember
        self.profile = profile
        self.checkpointSHA256 = checkpointSHA256
        self.trainingCaseCount = trainingCaseCount
        self.epochs = epochs
        self.bestValidationDice = bestValidationDice
        self.jobID = jobID
    }

    /// A model outside any experiment is the full-data reference.
    public var isFullDataReference: Bool { experimentID == nil }

    init(_ row: PostgresRow) throws {
        self.init(
            id: try row.decode("id"), datasetID: try row.decode("dataset_id"),
            experimentID: try row.decode("experiment_id"), roundIndex: try row.decode("round_index"),
            bootstrapMember: try row.decode("bootstrap_member"), profile: try row.decode("profile"),
            checkpointSHA256: try row.decode("checkpoint_sha256"),
            trainingCaseCount: try row.decode("training_case_count"), epochs: try row.decode("epochs"),
            bestValidationDice: try row.decode("best_validation_dice"), jobID: try row.decode("job_id"))
    }
}

extension PostgresTransaction {
    public func insertModel(_ model: ModelRecord) async throws {
        try await query(
            """
            INSERT INTO models (id, dataset_id, experiment_id, round_index, bootstrap_member, is_full_data_reference,
                                profile, checkpoint_sha256, training_case_count, epochs, best_validation_dice, job_id)
            VALUES (\(model.id), \(model.datasetID), \(model.experimentID), \(model.roundIndex), \(model.bootstrapMember),
                    \(model.isFullDataReference), \(model.profile.rawValue), \(model.checkpointSHA256), \(model.trainingCaseCount),
                    \(model.epochs), \(model.bestValidationDice), \(model.jobID))
            """)
    }
}

extension PostgresClient {
    public func model(_ id: ModelID) async throws -> ModelRecord? {
        try await query("SELECT * FROM models WHERE id = \(id)").first.map(ModelRecord.init)
    }

    /// The models that match every filter given (all when none is), full-data models first, then
    /// by experiment, round and bootstrap member; each with its mean Dice over the test cases
    /// scored so far (nil before the first).
    public func models(
        of experimentID: ExperimentID?, datasetID: DatasetID?, id: ModelID?
    ) async throws -> [(model: ModelRecord, meanTestDice: Double?)] {
        try await query(
            """
            SELECT m.*, (SELECT avg(e.dice) FROM evaluations e WHERE e.model_id = m.id) AS mean_test_dice
            FROM models m
            WHERE (\(experimentID)::uuid IS NULL OR m.experiment_id = \(experimentID))
              AND (\(datasetID)::uuid IS NULL OR m.dataset_id = \(datasetID))
              AND (\(id)::uuid IS NULL OR m.id = \(id))
            ORDER BY m.experiment_id NULLS FIRST, m.round_index, m.bootstrap_member NULLS FIRST, m.created_at
            """
        ).map { (try ModelRecord($0), try $0.decode("mean_test_dice", as: Double?.self)) }
    }

    /// The models a train job produced (one; none before it succeeded).
    public func models(trainedBy jobID: JobID) async throws -> [ModelRecord] {
        try await query("SELECT * FROM models WHERE job_id = \(jobID)").map(ModelRecord.init)
    }
}
