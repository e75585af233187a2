import CNATS

/// What a durable consumer reports about the messages it has not settled.
public struct ConsumerState: Sendable, Hashable {
    /// Messages in the stream that match the consumer and no one has taken yet.
    public var pending: UInt64
    /// Messages taken and not yet acknowledged.
    public var ackPending: Int64

    init(_ info: UnsafeMutablePointer<jsConsumerInfo>?) {
        pending = info?.pointee.NumPending ?? 0
        ackPending = info?.pointee.NumAckPending ?? 0
    }
}
