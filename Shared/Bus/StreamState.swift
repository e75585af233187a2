/// What the stream reports about its content.
public struct StreamState: Sendable, Hashable {
    public var messages: UInt64
    public var bytes: UInt64
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    public var consumers: Int
}
