/// The JetStream stream settings ActiveSeg uses; everything else keeps the server's default.
public struct StreamConfiguration: Sendable, Hashable {
    /// When stored messages go away.
    public enum Retention: Sendable, Hashable {
        /// Kept until a limit (age, count, bytes) removes them: events that may be replayed.
        case limits
        /// Removed once acknowledged by a consumer: jobs that must be done once.
        case workQueue
    }

    public enum Storage: Sendable, Hashable {
        case file
        case memory
    }

    /// What a full stream does with a new message.
    public enum Discard: Sendable, Hashable {
        /// Removes the oldest messages to make room.
        case old
        /// Refuses the new message (an object store: a partial object is worse than none).
        case new
    }

    public var name: String
    public var subjects: [String]
    public var retention: Retention = .limits
    public var storage: Storage = .file
    /// Oldest message kept; `nil` keeps messages regardless of age.
    public var maxAge: Duration? = nil
    /// Most messages kept; `nil` for no limit.
    public var maxMessages: Int64? = nil
    /// Window in which a repeated `Nats-Msg-Id` is recognised and not stored again (server
    /// default: 2 minutes).
    public var duplicateWindow: Duration? = nil
    public var discard: Discard = .old
    /// Whether a message with `Nats-Rollup: sub` replaces every earlier message on its subject.
    public var allowRollup: Bool = false
    /// Whether any replica may answer a direct get (`$JS.API.DIRECT.GET`), as object stores are
    /// created by the NATS clients.
    public var allowDirect: Bool = false
    /// Copies of the stream kept by the servers of a cluster (JetStream `num_replicas`, 1–5), so
    /// that a node that dies loses no message; a single server keeps 1. See `BusConfiguration`'s
    /// `streamReplicas` for what happens to an existing stream with another count.
    public var replicas: Int = 1

    public init(
        name: String, subjects: [String], retention: Retention = .limits, storage: Storage = .file,
        maxAge: Duration? = nil, maxMessages: Int64? = nil, duplicateWindow: Duration? = nil,
        discard: Discard = .old, allowRollup: Bool = false, allowDirect: Bool = false, replicas: Int = 1
    ) {
        self.name = name
        self.subjects = subjects
        self.retention = retention
        self.storage = storage
        self.maxAge = maxAge
        self.maxMessages = maxMessages
        self.duplicateWindow = duplicateWindow
        self.discard = discard
        self.allowRollup = allowRollup
        self.allowDirect = allowDirect
        self.replicas = replicas
    }
}
