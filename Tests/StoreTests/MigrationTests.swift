import Domain
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

    @Test func aReferenceModelTrainedAloneBecomesTheFirstMemberOfItsEnsemble() async throws {
        try await withIsolatedSchema(migrated: false) { client, _ in
            let before = ActiveSegSchema.migrations.filter { $0.version < 4 }
            try await client.migrate(before)
            let dataset = try await DatasetRepository.ensure(
                DatasetRecord(
                    id: .random(), name: "upgraded", sourceKind: .synthetic, sourceURI: "synthetic:7",
                    testFraction: 0.2, splitSeed: 7), on: client)
            let alone = ModelID.random()
            try await client.query(
                """
                INSERT INTO models (id, dataset_id, is_full_data_reference, profile, checkpoint_sha256,
                                    training_case_count, epochs)
                VALUES (\(alone), \(dataset.id), true, 'cpu', \(String(repeating: "a", count: 64)), 40, 60)
                """)
            try await client.migrate()

            let members = try await ModelRepository.referenceMembers(datasetID: dataset.id, profile: .cpu, on: client)
            #expect(members.map(\.id) == [alone] && members.map(\.ensembleMember) == [0])
            func member(_ index: Int?) -> ModelRecord {
                ModelRecord(
                    id: .random(), datasetID: dataset.id, experimentID: nil, roundIndex: nil, ensembleMember: index,
                    profile: .cpu, checkpointSHA256: String(repeating: "b", count: 64), trainingCaseCount: 40,
                    epochs: 60, bestValidationDice: nil, jobID: nil)
            }
            try await ModelRepository.insert(member(1), on: client)
            await #expect(throws: (any Error).self, "a second member 0") {
                try await ModelRepository.insert(member(0), on: client)
            }
            await #expect(throws: (any Error).self, "a reference model outside the ensemble") {
                try await ModelRepository.insert(member(nil), on: client)
            }
            let after = try await ModelRepository.referenceMembers(datasetID: dataset.id, profile: .cpu, on: client)
            #expect(after.map(\.ensembleMember) == [0, 1])
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
