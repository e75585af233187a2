import Bus
import Foundation
import Logging
import ServiceLifecycle

/// One ActiveSeg service executable from its environment to its exit status, as hummingbird's
/// `Application` runs a server on swift-service-lifecycle: every `@main` is one of these.
///
/// `run` reads the configuration once, `ServiceConfiguration` and the service's own `Settings`,
/// before anything else happens; then it sets up logging and metrics, connects to NATS, asks the
/// caller for the service's long-running parts (an `RPCServer`, a job worker, a `PostgresClient`,
/// …) and runs them after the connection, and after the `MetricsServer` where one is configured,
/// in one `ServiceGroup` until SIGTERM or SIGINT. Graceful shutdown stops
/// them in reverse order, the caller's last part first, and drains the NATS connection last, so
/// replies and publishes made while stopping still reach the server.
///
/// A configuration that cannot be used ends the process with one line on standard error and exit
/// status 1; so does a failure to start or to run, as a critical log line: a wrong environment
/// variable or an unreachable server is an operator's matter, not a crash report.
public struct ServiceApplication<Settings: Sendable>: Sendable {
    /// What the service's parts are built from once the configuration is read and NATS connected.
    public struct Context: Sendable {
        public let configuration: ServiceConfiguration
        public let settings: Settings
        public let connection: BusConnection
        public let logger: Logger
    }

    /// The service's name, lower case (e.g. `selector`): the executable is `activeseg-<service>`.
    public let service: String
    private let readSettings: @Sendable (ServiceConfiguration, [String: String]) throws -> Settings

    /// - Parameter settings: reads whatever the service needs beyond `ServiceConfiguration` (given
    ///   first) from the environment (given second): a database, the job queues' settings, …; an
    ///   error it throws is an invalid configuration.
    public init(
        service: String, settings: @escaping @Sendable (ServiceConfiguration, [String: String]) throws -> Settings
    ) {
        self.service = service
        self.readSettings = settings
    }

    /// Runs the executable to its end and exits with its status.
    ///
    /// - Parameter services: the service's parts, started in this order after the NATS connection
    ///   and stopped in reverse order; a part that needs another (a server and its database) comes
    ///   after it. An error it throws ends the process with status 1.
    public func run(_ services: @Sendable (Context) async throws -> [any Service]) async -> Never {
        exit(await status(environment: ProcessInfo.processInfo.environment, services))
    }

    /// Runs a request/reply service, whose one part is the `RPCServer` that `server` builds on the
    /// service's configuration, NATS connection and logger.
    public func run(
        server: @Sendable (ServiceConfiguration, BusConnection, Logger) async throws -> RPCServer
    ) async -> Never {
        await run { context in
            [try await server(context.configuration, context.connection, context.logger)]
        }
    }

    /// `run` without the exit: the process's exit status.
    func status(
        environment: [String: String], _ services: (Context) async throws -> [any Service]
    ) async -> Int32 {
        let configuration: ServiceConfiguration
        let settings: Settings
        do {
            configuration = try ServiceConfiguration(service: service, environment: environment)
            settings = try readSettings(configuration, environment)
        } catch {
            FileHandle.standardError.write(Data("activeseg-\(service): invalid configuration: \(error)\n".utf8))
            return EXIT_FAILURE
        }
        let logger = ServiceLogging.bootstrap(configuration)
        ServiceMetrics.bootstrap()
        do {
            let connection = try await BusConnection.connect(configuration.bus, logger: logger)
            let context = Context(
                configuration: configuration, settings: settings, connection: connection, logger: logger)
            let metrics: [any Service] = configuration.metrics.map { [MetricsServer($0, logger: logger)] } ?? []
            let parts = try await metrics + services(context)
            try await ServiceGroup.service(connection: connection, running: parts, logger: logger).run()
        } catch {
            logger.critical("service failed", metadata: ["error": "\(error)"])
            return EXIT_FAILURE
        }
        return EXIT_SUCCESS
    }
}

extension ServiceApplication where Settings == Void {
    /// A service that reads no setting beyond `ServiceConfiguration`.
    public init(service: String) {
        self.init(service: service) { _, _ in }
    }
}

extension ServiceGroup {
    /// A service's group: its NATS connection and then `services`, stopped by SIGTERM or SIGINT in
    /// reverse order, so the connection drains after the last of them has stopped.
    static func service(connection: BusConnection, running services: [any Service], logger: Logger) -> ServiceGroup {
        let all: [any Service] = [BusService(connection: connection, logger: logger)] + services
        return ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: all.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
    }
}
