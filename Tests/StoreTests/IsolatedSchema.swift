import Foundation
import Logging
import Store

/// Runs `body` against a schema of its own (a fresh `search_path`) in the database named by
/// `ACTIVESEG_POSTGRES_DSN`, and drops the schema afterwards, so tests neither see nor disturb
/// each other's rows.
func withIsolatedSchema(
    poolSize: Int = 4, migrated: Bool = true,
    _ body: (_ client: PostgresClient, _ configuration: PostgresConfiguration) async throws -> Void
) async throws {
    let base = try PostgresConfiguration(
        environment: ProcessInfo.processInfo.environment, applicationName: "activeseg-store-tests")
    var configuration = base
    configuration.schema = "test_" + UUID().uuidString.replacing("-", with: "").lowercased()
    configuration.poolSize = poolSize
    let client = PostgresClient(configuration: configuration, logger: quietLogger)
    var failure: (any Error)?
    do {
        if migrated { try await client.migrate() }
        try await body(client, configuration)
    } catch {
        failure = error
    }
    await client.shutdown()
    let admin = PostgresClient(configuration: base, logger: quietLogger)
    _ = try await admin.query("DROP SCHEMA IF EXISTS \(identifier: configuration.schema!) CASCADE")
    await admin.shutdown()
    if let failure { throw failure }
}

/// Runs `body` with a client on the database's default schema, for server-wide statements.
func withAdminClient(_ body: (PostgresClient) async throws -> Void) async throws {
    let admin = PostgresClient(
        configuration: try PostgresConfiguration(environment: ProcessInfo.processInfo.environment),
        logger: quietLogger)
    var failure: (any Error)?
    do { try await body(admin) } catch { failure = error }
    await admin.shutdown()
    if let failure { throw failure }
}

let quietLogger = Logger(label: "activeseg.store.tests") { _ in SwiftLogNoOpLogHandler() }

/// An error thrown on purpose inside a transaction.
struct DeliberateFailure: Error {}
