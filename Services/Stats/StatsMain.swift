import Bus
import Foundation
import ServiceRuntime

/// `activeseg-stats`: summarises rounds and tests their equivalence with the full-data model, over
/// NATS request/reply. Configured by the environment (see `ServiceConfiguration`); SIGTERM finishes
/// the requests in hand, then exits.
@main
enum StatsMain {
    static func main() async throws {
        let configuration = try ServiceConfiguration(service: "stats", environment: ProcessInfo.processInfo.environment)
        let logger = ServiceLogging.bootstrap(configuration)
        let connection = try await BusConnection.connect(configuration.bus, logger: logger)
        try await buildStatsServer(configuration: configuration, connection: connection, logger: logger)
            .serviceGroup().run()
    }
}
