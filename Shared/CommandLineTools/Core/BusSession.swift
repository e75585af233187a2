import Bus
import Logging
import ServiceRuntime

/// A NATS connection for one command, configured from the environment the services read
/// (`ACTIVESEG_NATS_*`, `ACTIVESEG_SUBJECT_PREFIX`), closed when the command is done.
enum BusSession {
    static func withConnection<Value: Sendable>(
        _ context: CommandContext, _ body: (BusConnection, ServiceConfiguration) async throws -> Value
    ) async throws -> Value {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(service: "cli", environment: context.environment)
        } catch {
            throw CommandLineError(.usage, subject: "environment", detail: "\(error)")
        }
        let logger = Logger(label: "activeseg.cli") { _ in SwiftLogNoOpLogHandler() }
        let connection = try await BusConnection.connect(configuration.bus, logger: logger)
        do {
            let value = try await body(connection, configuration)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }
}
