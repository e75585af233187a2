import Domain
import Foundation

/// What a worker needs of a case row to load it: its artifacts, dataset and split.
public struct CaseFiles: Sendable, Equatable {
    public var id: CaseID
    public var datasetID: DatasetID
    /// `train` or `test`.
    public var split: String
    /// The preprocessed two-channel image.
    public var imageSHA256: String
    /// The binary label; nil while it is not delivered.
    public var labelSHA256: String?
}
