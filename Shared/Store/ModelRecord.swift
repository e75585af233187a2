import Domain
import Foundation

/// A row of `models`: a trained network and what it was trained for.
public struct ModelRecord: Sendable, Equatable {
    public var id: ModelID
    public var datasetID: DatasetID
    /// Nil for the members of the full-data reference of a dataset and profile.
    public var experimentID: ExperimentID?
    public var roundIndex: Int?
    /// Its place in an ensemble: a member of a round's bootstrap ensemble, or of the full-data
    /// reference ensemble (every reference model has one); nil for a round's single model.
    public var ensembleMember: Int?
    public var profile: ProfileName
    public var checkpointSHA256: String
    public var trainingCaseCount: Int
    public var epochs: Int
    public var bestValidationDice: Double?
    public var jobID: JobID?

    public init(
        id: ModelID, datasetID: DatasetID, experimentID: ExperimentID?, roundIndex: Int?, ensembleMember: Int?,
        profile: ProfileName,
        checkpointSHA256: String, trainingCaseCount: Int, epochs: Int, bestValidationDice: Double?, jobID: JobID?
    ) {
        self.id = id
        self.datasetID = datasetID
        self.experimentID = experimentID
        self.roundIndex = roundIndex
        self.ensembleMember = ensembleMember
        self.profile = profile
        self.checkpointSHA256 = checkpointSHA256
        self.trainingCaseCount = trainingCaseCount
        self.epochs = epochs
        self.bestValidationDice = bestValidationDice
        self.jobID = jobID
    }

    /// A model outside any experiment is a member of the full-data reference.
    public var isFullDataReference: Bool { experimentID == nil }

    init(_ row: PostgresRow) throws {
        self.init(
            id: try row.decode("id"), datasetID: try row.decode("dataset_id"),
            experimentID: try row.decode("experiment_id"), roundIndex: try row.decode("round_index"),
            ensembleMember: try row.decode("ensemble_member"), profile: try row.decode("profile"),
            checkpointSHA256: try row.decode("checkpoint_sha256"),
            trainingCaseCount: try row.decode("training_case_count"), epochs: try row.decode("epochs"),
            bestValidationDice: try row.decode("best_validation_dice"), jobID: try row.decode("job_id"))
    }
}
