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

    public init(name: String, subjects: [String], retention: Retention = .limits, storage: Storage = .file,
                maxAge: Duration? = nil, maxMessages: Int64? = nil, duplicateWindow: Duration? = nil) {
        self.name = name
        self.subjects = subjects
        self.retention = retention
        self.storage = storage
        self.maxAge = maxAge
        self.maxMessages = maxMessages
        self.duplicateWindow = duplicateWindow
    }
}

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

    public init(durableName: String, filterSubject: String? = nil, ackWait: Duration? = nil,
                maxDeliver: Int? = nil, maxAckPending: Int? = nil) {
        self.durableName = durableName
        self.filterSubject = filterSubject
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.maxAckPending = maxAckPending
    }
}

/// What the stream reports about its content.
public struct StreamState: Sendable, Hashable {
    public var messages: UInt64
    public var bytes: UInt64
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    public var consumers: Int
}

/// The server's answer to a JetStream publish: where the message is stored.
public struct PublishAck: Sendable, Hashable {
    public var stream: String
    public var sequence: UInt64
    /// True when the server had already stored a message with the same `Nats-Msg-Id` within the
    /// stream's duplicate window; the message was not stored again.
    public var duplicate: Bool
}
