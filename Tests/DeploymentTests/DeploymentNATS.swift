import Bus
import Foundation
import Logging
import ServiceLifecycle
import TestSupport
import Testing

/// A nats-server running deploy/nats/nats.conf, the compose deployment's users and permissions,
/// on a loopback port of its own, and connections to it as each of those users.
final class DeploymentNATS: Sendable {
    /// The users of deploy/nats/nats.conf: one per service and the command line's.
    static let users = ["ingest", "trainer", "scorer", "selector", "stats", "orchestrator", "dashboard", "cli"]

    static let logger: Logger = {
        var logger = Logger(label: "activeseg.deployment-tests")
        logger.logLevel = .critical
        return logger
    }()

    let server: PrivateNATSServer

    init() async throws {
        var environment: [String: String] = [:]
        for user in Self.users { environment[Self.passwordVariable(of: user)] = Self.password(of: user) }
        server = try PrivateNATSServer(
            configurationFile: ComposeDeployment.checkout.appendingPathComponent("deploy/nats/nats.conf"),
            environment: environment)
        try await server.start()
    }

    /// The variable deploy/nats/nats.conf reads `user`'s password from, e.g. `NATS_SCORER_PASSWORD`.
    static func passwordVariable(of user: String) -> String { "NATS_\(user.uppercased())_PASSWORD" }

    static func password(of user: String) -> String { "test-password-of-\(user)" }

    /// `user`'s credentials, as compose gives them to that user's container.
    func configuration(of user: String) -> BusConfiguration {
        BusConfiguration(
            servers: [server.url], clientName: "deployment-tests-\(user)",
            credentials: .userPassword(user: user, password: Self.password(of: user)))
    }

    func connect(as user: String) async throws -> BusConnection {
        try await BusConnection.connect(configuration(of: user), logger: Self.logger)
    }

    /// The server's log lines that report a refused publish or subscribe.
    var violations: [String] {
        server.log.split(separator: "\n").map(String.init).filter { $0.contains("Violation") }
    }

    /// Tries to delete `stream` as every user, and checks that each try failed and that the server
    /// refused each one for want of permission (not for some other reason).
    func expectNobodyDeletes(_ stream: String) async throws {
        for user in Self.users {
            let jetStream = try JetStream(connection: try await connect(as: user), apiTimeout: .seconds(1))
            await #expect(throws: BusError.self, "\(user) deleted the stream \(stream)") {
                try await jetStream.deleteStream(stream)
            }
        }
        let refused = violations
        for user in Self.users {
            #expect(
                refused.contains { $0.contains("\"\(user)\"") && $0.contains("$JS.API.STREAM.DELETE.\(stream)") },
                "the server did not refuse \(user)'s deletion of \(stream): \(refused)")
        }
    }
}

/// Services running in tasks, as their executables run them, until `stop`.
struct RunningServices {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    init(_ services: [any Service]) {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, logger: DeploymentNATS.logger))
        self.group = group
        task = Task { try await group.run() }
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await within(.seconds(60), "the services to stop") { try await task.value }
    }
}
