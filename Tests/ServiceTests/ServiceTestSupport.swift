import Bus
import Foundation
import Logging
import Proto
import ServiceLifecycle
import ServiceRuntime
import TestSupport

/// Services under test, built in-process from the environment of the local stack
/// (`ACTIVESEG_NATS_*`), each test under its own subject prefix so that tests running in parallel
/// never answer each other's requests.
enum ServiceTestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "activeseg.service-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// How long a test call may wait for its reply: a guard against a hang, generous because the
    /// whole suite shares two cores in CI.
    static let timeout: Duration = .seconds(60)

    /// A subject prefix no other test uses.
    static func uniquePrefix() -> String {
        "test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    }

    /// The configuration a worker of `service` reads from this process's environment, under `prefix`.
    static func configuration(
        _ service: String, prefix: String, instance: String = "test-worker"
    ) throws -> ServiceConfiguration {
        var environment = ProcessInfo.processInfo.environment
        environment["ACTIVESEG_SUBJECT_PREFIX"] = prefix
        environment["ACTIVESEG_INSTANCE"] = instance
        environment["ACTIVESEG_NATS_NAME"] = "service-tests-\(service)-\(instance)"
        return try ServiceConfiguration(service: service, environment: environment)
    }

    static func connect(_ configuration: ServiceConfiguration) async throws -> BusConnection {
        try await BusConnection.connect(configuration.bus, logger: logger)
    }

    /// A client on its own connection, calling under `prefix`.
    static func client(prefix: String) async throws -> RPCClient {
        let configuration = try configuration("client", prefix: prefix)
        return RPCClient(connection: try await connect(configuration), subjectPrefix: prefix)
    }
}

/// A server's service group running in a task, as an executable runs it.
struct RunningServer {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// Starts `server` and returns once its `ping` method answers: the subscriptions are made in
    /// `run`, after this function has started it.
    static func start(_ server: RPCServer, ping: RPCMethod<HealthPing, HealthPong>) async throws -> RunningServer {
        let group = server.serviceGroup()
        let task = Task { try await group.run() }
        let probe = try await ServiceTestSupport.client(prefix: server.configuration.subjectPrefix)
        defer { Task { await probe.connection.close() } }
        do {
            try await within(ServiceTestSupport.timeout, "the server to answer") {
                while (try? await probe.call(ping, HealthPing(), timeout: .seconds(1))) == nil {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        } catch {
            task.cancel()
            throw error
        }
        return RunningServer(group: group, task: task)
    }

    /// Triggers graceful shutdown and waits until the group has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await within(ServiceTestSupport.timeout, "the service group to stop") { try await task.value }
    }
}
