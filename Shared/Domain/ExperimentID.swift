import Foundation

/// The id of an experiment (the `experiments` table's key).
public struct ExperimentID: Identifier {
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
    }
}
