import Bus
import Foundation
import Logging

/// The whole life of a request/reply service executable, so each `@main` is one call: configuration
/// from the environment, logging, the NATS connection, the server from `build`, and its service
/// group until SIGTERM or SIGINT.
///
/// A failure to start or to run ends the process with a one-line message and exit status 1, not a
/// crash report: a wrong environment variable is an operator's mistake, not a bug.
public enum ServiceEntryPoint {
    public static func run(
        service: String,
        build: (ServiceConfiguration, BusConnection, Logger) async throws -> RPCServer
    ) async -> Never {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(service: service, environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("activeseg-\(service): invalid configuration: \(error)\n".utf8))
            exit(EXIT_FAILURE)
        }
        let logger = ServiceLogging.bootstrap(configuration)
        do {
            let connection = try await BusConnection.connect(configuration.bus, logger: logger)
            try await build(configuration, connection, logger).serviceGroup().run()
        } catch {
            logger.critical("service failed", metadata: ["error": "\(error)"])
            exit(EXIT_FAILURE)
        }
        exit(EXIT_SUCCESS)
    }
}
