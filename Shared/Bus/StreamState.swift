/// What the stream reports about its content and, on a cluster, where its copies live.
public struct StreamState: Sendable, Hashable {
    public var messages: UInt64
    public var bytes: UInt64
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    public var consumers: Int
    /// The replica count the stream is configured with (`num_replicas`).
    public var replicas: Int
    /// The server that leads the stream's replicas (its `server_name`): the one whose loss moves
    /// the stream to a new leader on a cluster. A single server names itself; nil when the server
    /// names none (a cluster between leaders).
    public var leader: String?
}
