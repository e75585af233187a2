/// The server's answer to a JetStream publish: where the message is stored.
public struct PublishAck: Sendable, Hashable {
    public var stream: String
    public var sequence: UInt64
    /// True when the server had already stored a message with the same `Nats-Msg-Id` within the
    /// stream's duplicate window; the message was not stored again.
    public var duplicate: Bool
}
