/// A durable pull consumer's settings.
public struct ConsumerConfiguration: Sendable, Hashable {
    /// The consumer's durable name: workers that bind to the same name share its messages.
    public var durableName: String
    /// Only messages on this subject (wildcards allowed); `nil` for the whole stream.
    public var filterSubject: String? = nil
    /// How long a fetched message may stay unacknowledged before it is delivered again
    /// (server default: 30 s). A worker that dies mid-job loses its job to another after this.
    public var ackWait: Duration? = nil
    /// Deliveries after which a message is given up; `nil` for no limit.
    public var maxDeliver: Int? = nil
    /// Unacknowledged messages allowed in flight across all workers; `nil` for the server default.
    public var maxAckPending: Int? = nil

    public init(
        durableName: String, filterSubject: String? = nil, ackWait: Duration? = nil,
        maxDeliver: Int? = nil, maxAckPending: Int? = nil
    ) {
        self.durableName = durableName
        self.filterSubject = filterSubject
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.maxAckPending = maxAckPending
    }
}
