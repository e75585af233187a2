import Foundation

/// The id of a trained model (the `models` table's key).
public struct ModelID: Identifier {
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
    }
}
