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

extension PostgresClient {
    /// The files of the ingested case `id`; nil when there is no such ingested case.
    public func caseFiles(_ id: CaseID) async throws -> CaseFiles? {
        guard
            let row = try await query(
                """
                SELECT dataset_id, split, image_sha256, label_sha256 FROM cases WHERE id = \(id) AND state = 'ingested'
                """
            ).first
        else { return nil }
        return CaseFiles(
            id: id, datasetID: try row.decode("dataset_id"), split: try row.decode("split"),
            imageSHA256: try row.decode("image_sha256"), labelSHA256: try row.decode("label_sha256"))
    }
}
