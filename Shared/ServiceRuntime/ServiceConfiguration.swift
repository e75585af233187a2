import Bus
import Foundation
import Logging
import Proto

/// What every ActiveSeg service executable reads from its environment, so a container, a compose
/// file and a developer's shell configure all services the same way.
///
/// Environment keys (an unset or empty key keeps its default):
/// - `ACTIVESEG_NATS_URL`, `ACTIVESEG_NATS_USER`, `ACTIVESEG_NATS_PASSWORD`, `ACTIVESEG_NATS_TOKEN`,
///   `ACTIVESEG_NATS_NAME`, `ACTIVESEG_NATS_REPLICAS`: how to reach NATS and how many cluster nodes
///   keep each stream, as `BusConfiguration` documents them (default `nats://127.0.0.1:4222`, no
///   credentials, client name `activeseg-<service>`, one replica).
/// - `ACTIVESEG_POSTGRES_*`: the database of the services that keep state, read by Store's
///   `PostgresConfiguration` alone (the DSN is required there); unused by the stateless services.
/// - `ACTIVESEG_ARTIFACT_BACKEND`: where the content-addressed artifacts live, `folder` (default)
///   or `nats`; unused by the stateless services. `artifactStore()` opens the store it names.
/// - `ACTIVESEG_ARTIFACT_ROOT`: the folder of the `folder` backend (default
///   `/var/lib/activeseg/artifacts`), shared by every service that reads or writes artifacts.
/// - `ACTIVESEG_ARTIFACT_BUCKET`: the NATS object-store bucket of the `nats` backend (default
///   `activeseg-artifacts`; letters, digits, `-` and `_`), on the server of `ACTIVESEG_NATS_URL`.
/// - `ACTIVESEG_ARTIFACT_CACHE`: the `nats` backend's local cache folder, one per host or worker
///   (default `/var/cache/activeseg/artifacts`).
/// - `ACTIVESEG_ARTIFACT_CACHE_BYTES`: the cache's size limit in bytes (default 8 GiB); the least
///   recently used artifacts are removed beyond it.
/// - `ACTIVESEG_CONCURRENCY`: how many requests of one method a worker handles at once (default:
///   the number of active processor cores). A positive integer up to ``maximumConcurrency``.
/// - `ACTIVESEG_COMPUTE_THREADS`: threads of the neural engine in the trainer and scorer (default:
///   the number of active processor cores); read by Neural's `ComputeThreads`, and refused by the
///   trainer and scorer at start unless a positive integer up to `ComputeThreads.maximumCount`.
/// - `ACTIVESEG_INSTANCE`: this worker's name among the workers of its service, reported by
///   `Ping` and in every log line (default `<host name>-<process id>`).
/// - `ACTIVESEG_LOG_LEVEL`: `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`
///   (default `info`).
/// - `ACTIVESEG_METRICS_PORT`, `ACTIVESEG_METRICS_HOST`: the Prometheus endpoint (`MetricsConfiguration`;
///   default: none).
/// - `ACTIVESEG_SUBJECT_PREFIX`: a subject token prepended to every rpc subject, so several
///   deployments (or test runs) can share one NATS server without answering each other's requests
///   (default: none, i.e. the subjects declared by the contracts).
public struct ServiceConfiguration: Sendable {
    /// The service's name, lower case (e.g. `selector`): the queue group its workers share.
    public var service: String
    public var instance: String
    public var bus: BusConfiguration
    public var artifactBackend: ArtifactBackend
    public var artifactRoot: String
    public var artifactBucket: String
    public var artifactCache: String
    public var artifactCacheBytes: Int
    /// Requests of one method handled at once by this worker; at least 1.
    public var concurrency: Int
    public var logLevel: Logger.Level
    /// Prepended with a dot to every rpc subject; empty for the contracts' own subjects.
    public var subjectPrefix: String
    /// Where the service serves `GET /metrics`; nil for no endpoint.
    public var metrics: MetricsConfiguration?

    /// The most requests one worker takes at once: more than the cores of any machine it runs on,
    /// so a slip (an extra zero) is refused at start instead of running thousands of jobs at once.
    public static var maximumConcurrency: Int { 256 }

    public static var defaultArtifactRoot: String { "/var/lib/activeseg/artifacts" }
    public static var defaultArtifactBucket: String { "activeseg-artifacts" }
    public static var defaultArtifactCache: String { "/var/cache/activeseg/artifacts" }
    public static var defaultArtifactCacheBytes: Int { 8 << 30 }

    /// Defaults for `service`, as documented on the type.
    public init(service: String) {
        self.service = service
        self.instance = Self.defaultInstance
        self.bus = BusConfiguration(servers: [BusConfiguration.defaultServer], clientName: "activeseg-\(service)")
        self.artifactBackend = .folder
        self.artifactRoot = Self.defaultArtifactRoot
        self.artifactBucket = Self.defaultArtifactBucket
        self.artifactCache = Self.defaultArtifactCache
        self.artifactCacheBytes = Self.defaultArtifactCacheBytes
        self.concurrency = ProcessInfo.processInfo.activeProcessorCount
        self.logLevel = .info
        self.subjectPrefix = ""
        self.metrics = nil
    }

    /// Reads the documented keys from `environment`; fails on a value that does not parse, naming
    /// the key, rather than silently running with a default the operator did not ask for.
    public init(service: String, environment: [String: String]) throws {
        self.init(service: service)
        let value = { (key: String) in environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        bus = try BusConfiguration(environment: environment, clientName: "activeseg-\(service)")
        artifactRoot = value("ACTIVESEG_ARTIFACT_ROOT") ?? artifactRoot
        if let text = value("ACTIVESEG_ARTIFACT_BACKEND") {
            guard let backend = ArtifactBackend(rawValue: text.lowercased()) else {
                throw ServiceConfigurationError(
                    .invalidValue, key: "ACTIVESEG_ARTIFACT_BACKEND", detail: "expected folder or nats, got '\(text)'")
            }
            artifactBackend = backend
        }
        if let bucket = value("ACTIVESEG_ARTIFACT_BUCKET") {
            guard ObjectBucket.isValidName(bucket) else {
                throw ServiceConfigurationError(
                    .invalidValue, key: "ACTIVESEG_ARTIFACT_BUCKET",
                    detail: "expected letters, digits, '-' and '_', got '\(bucket)'")
            }
            artifactBucket = bucket
        }
        artifactCache = value("ACTIVESEG_ARTIFACT_CACHE") ?? artifactCache
        if let bytes = try Self.positiveInteger("ACTIVESEG_ARTIFACT_CACHE_BYTES", in: environment, unit: "bytes") {
            artifactCacheBytes = bytes
        }
        instance = value("ACTIVESEG_INSTANCE") ?? instance
        if let parsed = try Self.positiveInteger(
            "ACTIVESEG_CONCURRENCY", in: environment, unit: "requests",
            maximum: Self.maximumConcurrency)
        {
            concurrency = parsed
        }
        if let text = value("ACTIVESEG_LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw ServiceConfigurationError(
                    .invalidValue, key: "ACTIVESEG_LOG_LEVEL",
                    detail: "expected one of \(names), got '\(text)'")
            }
            logLevel = level
        }
        if let prefix = value("ACTIVESEG_SUBJECT_PREFIX") {
            guard Self.isSubjectTokens(prefix) else {
                throw ServiceConfigurationError(
                    .invalidValue, key: "ACTIVESEG_SUBJECT_PREFIX",
                    detail: "expected dot-separated subject tokens without wildcards, got '\(prefix)'")
            }
            subjectPrefix = prefix
        }
        metrics = try MetricsConfiguration(environment: environment)
    }

    /// The subject this deployment uses for `method`.
    public func subject(for method: AnyRPCMethod) -> String {
        RPCWire.subject(method.subject, prefix: subjectPrefix)
    }

    private static var defaultInstance: String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    private static func isSubjectTokens(_ text: String) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { token in
            !token.isEmpty && !token.contains { $0 == "*" || $0 == ">" || $0.isWhitespace }
        }
    }
}

extension ServiceConfiguration: CustomStringConvertible {
    /// Every setting with the passwords and tokens in the NATS URLs redacted; the NATS credentials
    /// of their own keys are left out.
    public var description: String {
        "ServiceConfiguration(service: \(service), instance: \(instance), nats: \(bus.serverList), "
            + "artifacts: \(artifactLocation), concurrency: \(concurrency), logLevel: \(logLevel), "
            + "subjectPrefix: '\(subjectPrefix)', metrics: \(metrics.map { "\($0.host):\($0.port)" } ?? "none"))"
    }
}
