import Foundation
import Redaction

/// How to reach NATS, read from the environment.
///
/// Environment keys:
/// - `ACTIVESEG_NATS_URL`: comma-separated server URLs (default `nats://127.0.0.1:4222`); the
///   client picks among them and moves to the next one when a server goes away.
/// - `ACTIVESEG_NATS_USER` and `ACTIVESEG_NATS_PASSWORD`: user/password credentials (default: none).
/// - `ACTIVESEG_NATS_TOKEN`: token credentials, used when no user is set (default: none).
///
///   A password or token that is still a placeholder of `.env.example` (`change-me-…`, see
///   `isPlaceholderSecret`) is refused, so a deployment never runs with a published password.
/// - `ACTIVESEG_NATS_NAME`: the client name the server shows in its monitoring (default: the
///   `clientName` argument, e.g. the service name).
/// - `ACTIVESEG_NATS_REPLICAS`: how many servers of a NATS cluster keep a copy of every stream the
///   product creates (JetStream `num_replicas`, 1–5, default 1). With 3 on a three-node cluster a
///   node may die without losing a queued job, an event or an artifact. An existing stream with
///   fewer replicas is raised to this count when a service next ensures it; one with more keeps
///   them (see `JetStream.ensureStream`); an object-store bucket's stream is used as it was made.
///   A single server refuses more than 1.
///
/// The remaining settings are properties with defaults meant for services that must survive a
/// server restart: reconnect forever, with exponential back-off from 100 ms up to 5 s.
public struct BusConfiguration: Sendable {
    public enum Credentials: Sendable, Equatable {
        case none
        case userPassword(user: String, password: String)
        case token(String)
    }

    /// Server URLs, tried in order on first connect (default `["nats://127.0.0.1:4222"]`).
    public var servers: [String]
    /// Shown by the server for this connection (default `activeseg`).
    public var clientName: String
    public var credentials: Credentials
    /// Copies of every stream the product creates on a cluster (default 1).
    public var streamReplicas: Int = 1
    /// Time allowed to open the socket and finish the handshake with one server (default 2 s).
    public var connectTimeout: Duration = .seconds(2)
    /// Reconnect attempts per server after a connection loss; `nil` retries forever (the default).
    public var maxReconnectAttempts: Int? = nil
    /// First wait between reconnect rounds; doubled every round up to `maxReconnectWait`
    /// (default 100 ms).
    public var reconnectWait: Duration = .milliseconds(100)
    /// Upper bound of the reconnect back-off (default 5 s).
    public var maxReconnectWait: Duration = .seconds(5)
    /// Random extra wait, up to this much, added to every back-off step so that many clients
    /// do not reconnect in lock-step (default 100 ms).
    public var reconnectJitter: Duration = .milliseconds(100)
    /// Bytes of publishes buffered while reconnecting; beyond this a publish fails
    /// (default 8 MiB).
    public var reconnectBufferBytes: Int = 8 * 1024 * 1024
    /// How long a graceful drain may take before the connection is closed anyway (default 10 s).
    public var drainTimeout: Duration = .seconds(10)

    public static var defaultServer: String { "nats://127.0.0.1:4222" }
    /// The most replicas JetStream keeps of one stream.
    public static var maximumStreamReplicas: Int { 5 }

    public init(
        servers: [String] = [defaultServer], clientName: String = "activeseg",
        credentials: Credentials = .none
    ) {
        self.servers = servers
        self.clientName = clientName
        self.credentials = credentials
    }

    /// Reads the `ACTIVESEG_NATS_*` keys; unset keys keep their defaults. Fails with
    /// `.invalidConfiguration`, naming the key, on a placeholder password or token, or a replica
    /// count outside 1–5.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        clientName: String = "activeseg"
    ) throws(BusError) {
        self.init(
            servers: [Self.defaultServer],
            clientName: environment["ACTIVESEG_NATS_NAME"].flatMap(Self.nonEmpty) ?? clientName,
            credentials: .none)
        if let urls = environment["ACTIVESEG_NATS_URL"] {
            let parsed = urls.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            if !parsed.isEmpty { servers = parsed }
        }
        if let user = environment["ACTIVESEG_NATS_USER"].flatMap(Self.nonEmpty) {
            let password = environment["ACTIVESEG_NATS_PASSWORD"] ?? ""
            try Self.refusePlaceholder(password, key: "ACTIVESEG_NATS_PASSWORD")
            credentials = .userPassword(user: user, password: password)
        } else if let token = environment["ACTIVESEG_NATS_TOKEN"].flatMap(Self.nonEmpty) {
            try Self.refusePlaceholder(token, key: "ACTIVESEG_NATS_TOKEN")
            credentials = .token(token)
        }
        if let replicas = environment["ACTIVESEG_NATS_REPLICAS"].flatMap(Self.nonEmpty) {
            guard let count = Int(replicas), (1...Self.maximumStreamReplicas).contains(count) else {
                throw BusError(
                    code: .invalidConfiguration, subject: "ACTIVESEG_NATS_REPLICAS",
                    detail: "'\(replicas)' is no replica count; JetStream keeps 1 to \(Self.maximumStreamReplicas)")
            }
            streamReplicas = count
        }
    }

    private static func refusePlaceholder(_ secret: String, key: String) throws(BusError) {
        guard isPlaceholderSecret(secret) else { return }
        throw BusError(
            code: .invalidConfiguration, subject: key,
            detail: "\(key) is still a placeholder of .env.example ('\(placeholderSecretPrefix)…'); choose a password")
    }

    /// The back-off before reconnect round `attempt` (1-based), jitter excluded.
    public func reconnectDelay(attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        let delay = reconnectWait * (1 << doublings)
        return min(delay, maxReconnectWait)
    }

    /// The server URLs, comma-separated, with their credentials redacted: how log lines, errors and
    /// descriptions name the servers.
    public var serverList: String { redactingCredentials(in: servers.joined(separator: ",")) }

    private static func nonEmpty(_ value: String) -> String? { value.isEmpty ? nil : value }
}

extension BusConfiguration: CustomStringConvertible {
    /// Every setting with the password or token replaced, so a configuration can be logged; so are
    /// the credentials in a server URL (`nats://user:password@host`).
    public var description: String {
        "BusConfiguration(servers: \(serverList), clientName: \(clientName), "
            + "credentials: \(credentials), streamReplicas: \(streamReplicas), "
            + "connectTimeout: \(connectTimeout), "
            + "maxReconnectAttempts: \(maxReconnectAttempts.map(String.init) ?? "unlimited"), "
            + "reconnectWait: \(reconnectWait), maxReconnectWait: \(maxReconnectWait), "
            + "reconnectJitter: \(reconnectJitter), reconnectBufferBytes: \(reconnectBufferBytes), "
            + "drainTimeout: \(drainTimeout))"
    }
}

extension BusConfiguration.Credentials: CustomStringConvertible {
    /// The kind of credentials and the user name; never the password or token.
    public var description: String {
        switch self {
        case .none: "none"
        case .userPassword(let user, _): "user \(user), password <redacted>"
        case .token: "token <redacted>"
        }
    }
}

extension Duration {
    /// Whole milliseconds, the unit of every libnats timeout.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    /// Whole nanoseconds, the unit of JetStream durations.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
