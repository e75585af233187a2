import Bus
import Foundation
import ServiceRuntime

/// `activeseg-selector`: picks the cases to annotate next, over NATS request/reply. Configured by
/// the environment (see `ServiceConfiguration`); SIGTERM finishes the requests in hand, then exits.
@main
enum SelectorMain {
    static func main() async throws {
        let configuration = try ServiceConfiguration(service: "selector", environment: ProcessInfo.processInfo.environment)
        let logger = ServiceLogging.bootstrap(configuration)
        let connection = try await BusConnection.connect(configuration.bus, logger: logger)
        try await buildSelectorServer(configuration: configuration, connection: connection, logger: logger)
            .serviceGroup().run()
    }
}
