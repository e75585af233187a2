import Foundation

/// The id of an imported cohort (the `datasets` table's key).
public struct DatasetID: Identifier {
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
    }
}
