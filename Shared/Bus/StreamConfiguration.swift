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

    public init(
        name: String, subjects: [String], retention: Retention = .limits, storage: Storage = .file,
        maxAge: Duration? = nil, maxMessages: Int64? = nil, duplicateWindow: Duration? = nil
    ) {
        self.name = name
        self.subjects = subjects
        self.retention = retention
        self.storage = storage
        self.maxAge = maxAge
        self.maxMessages = maxMessages
        self.duplicateWindow = duplicateWindow
    }
}
