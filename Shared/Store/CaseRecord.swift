import Domain
import Foundation

/// One imaging case as the `cases` table holds it: ingested with its artifacts and split, or failed
/// with the reason.
public struct CaseRecord: Sendable, Hashable {
    /// What became of the case; the associated values are exactly the columns that state fills, so
    /// an ingested case without an image or a failed case with a split cannot be built.
    public enum State: Sendable, Hashable {
        /// Preprocessed and stored. `labelSHA256` is nil for an unlabelled case.
        case ingested(split: DataSplit, imageSHA256: String, labelSHA256: String?)
        /// Rejected, with what a person must fix.
        case failed(reason: String)
    }

    public var id: CaseID
    public var datasetID: DatasetID
    /// The case's name in its source (folder or manifest row); unique within the dataset.
    public var sourceName: String
    /// The patient the case belongs to; the test split never separates a patient's cases.
    public var patientID: String
    public var state: State
    /// Foreground voxels of the stored label; nil without one, or when it was stored uncounted.
    public var labelVoxels: Int?
    /// The optional preprocessing steps the case went through, by name in the order they ran
    /// (`PreprocessingStep` in Volume); empty for none.
    public var preprocessingSteps: [String]

    public init(
        id: CaseID, datasetID: DatasetID, sourceName: String, patientID: String, state: State,
        labelVoxels: Int? = nil, preprocessingSteps: [String] = []
    ) {
        self.id = id
        self.datasetID = datasetID
        self.sourceName = sourceName
        self.patientID = patientID
        self.state = state
        self.labelVoxels = labelVoxels
        self.preprocessingSteps = preprocessingSteps
    }
}

extension NamedCase {
    /// The case by its id and source name.
    public init(_ record: CaseRecord) {
        self.init(id: record.id, sourceName: record.sourceName)
    }
}
