import Foundation
import Store
import TestSupport
import Testing

@Suite(.tags(.stack), .needsLocalStack) struct MigrationTests {
    static let expectedTables: [String] = [
        "cases", "datasets", "evaluations", "experiment_cases", "experiments", "features", "jobs", "models",
        "rounds", "schema_migrations", "scores",
    ]

    @Test func concurrentAndRepeatedMigrationsLeaveOneSchemaVersion() async throws {
        try await withIsolatedSchema(migrated: false) { client, configuration in
            let first = PostgresClient(configuration: configuration, logger: quietLogger)
            let second = PostgresClient(configuration: configuration, logger: quietLogger)
            async let firstRun: Void = first.migrate()
            async let secondRun: Void = second.migrate()
            _ = try await (firstRun, secondRun)
            try await client.migrate()
            await first.shutdown()
            await second.shutdown()

            let history = try await client.query(
                "SELECT count(*) AS applied, max(version) AS latest FROM schema_migrations")
            #expect(try history[0].decode("applied", as: Int.self) == ActiveSegSchema.migrations.count)
            #expect(try history[0].decode("latest", as: Int.self) == ActiveSegSchema.migrations.last?.version)

            let tables = try await client.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = \(configuration.schema!) ORDER BY tablename")
            #expect(try tables.map { try $0.decode("tablename", as: String.self) } == Self.expectedTables)
        }
    }

    @Test func changedMigrationIsRefused() async throws {
        try await withIsolatedSchema(migrated: false) { client, _ in
            try await client.migrate([Migration(version: 1, name: "probe", sql: "CREATE TABLE probe (id integer)")])
            let error = await #expect(throws: StoreError.self) {
                try await client.migrate([Migration(version: 1, name: "probe", sql: "CREATE TABLE probe (id bigint)")])
            }
            #expect(error?.code == .migration)
        }
    }

    @Test func migrationsOutOfOrderAreRefused() async throws {
        try await withIsolatedSchema(migrated: false) { client, _ in
            let error = await #expect(throws: StoreError.self) {
                try await client.migrate([
                    Migration(version: 2, name: "second", sql: "SELECT 1"),
                    Migration(version: 1, name: "first", sql: "SELECT 1"),
                ])
            }
            #expect(error?.code == .migration)
        }
    }
}
