import Foundation

/// The id of a trainer or scorer job (the `jobs` table's key), also its message's `Nats-Msg-Id`.
public struct JobID: Identifier {
    public let uuid: UUID

    public init(_ uuid: UUID) {
        self.uuid = uuid
    }
}
