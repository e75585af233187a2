import Logging
import Store

/// The PostgreSQL database of the services, opened for one command's read-only views.
///
/// Case and experiment views read the tables directly: PostgreSQL is where every service records
/// state, no service answers read queries over the bus, and a read needs none of the locking or
/// ordering a service adds to writes. The connection settings are the services' own
/// (`ACTIVESEG_POSTGRES_DSN`, `ACTIVESEG_POSTGRES_SCHEMA`, …).
enum StoreConnection {
    static func withClient<Value: Sendable>(
        _ context: CommandContext, _ body: (PostgresClient) async throws -> Value
    ) async throws -> Value {
        let configuration: PostgresConfiguration
        do {
            configuration = try PostgresConfiguration(
                environment: context.environment, applicationName: "activeseg-cli")
        } catch {
            throw CommandLineError(
                .unavailable, subject: "PostgreSQL", detail: error.message,
                hint: "start the stack (`activeseg stack up`) and load its settings: `set -a; . .stack/env; set +a`")
        }
        let client = PostgresClient(
            configuration: configuration, logger: Logger(label: "activeseg.cli") { _ in SwiftLogNoOpLogHandler() })
        do {
            let value = try await body(client)
            await client.shutdown()
            return value
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
