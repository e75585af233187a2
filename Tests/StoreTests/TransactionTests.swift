import Foundation
import Store
import TestSupport
import Testing

@Suite(.tags(.stack), .needsLocalStack) struct TransactionTests {
    static func datasetCount(_ client: PostgresClient) async throws -> Int {
        try await client.query("SELECT count(*) AS n FROM datasets")[0].decode("n", as: Int.self)
    }

    @Test func committedRowsAreVisible() async throws {
        try await withIsolatedSchema { client, _ in
            let dataset = UUID()
            let returned = try await client.withTransaction { transaction in
                try await transaction.query(Fixtures.datasetInsert(id: dataset, name: "kept"))
                try await transaction.query(Fixtures.ingestedCaseInsert(dataset: dataset, name: "case-1"))
                return dataset
            }
            #expect(returned == dataset)
            let datasets = try await Self.datasetCount(client)
            #expect(datasets == 1)
        }
    }

    @Test func thrownErrorLeavesNoRows() async throws {
        try await withIsolatedSchema { client, _ in
            await #expect(throws: DeliberateFailure.self) {
                try await client.withTransaction { transaction in
                    let dataset = UUID()
                    try await transaction.query(Fixtures.datasetInsert(id: dataset, name: "discarded"))
                    try await transaction.query(Fixtures.ingestedCaseInsert(dataset: dataset, name: "case-1"))
                    throw DeliberateFailure()
                }
            }
            let datasets = try await Self.datasetCount(client)
            let cases = try await client.query("SELECT count(*) AS n FROM cases")[0].decode("n", as: Int.self)
            #expect(datasets == 0)
            #expect(cases == 0)
        }
    }

    @Test func cancellationRollsBack() async throws {
        try await withIsolatedSchema { client, _ in
            let task = Task {
                try await client.withTransaction { transaction in
                    try await transaction.query(Fixtures.datasetInsert(name: "cancelled"))
                    withUnsafeCurrentTask { $0?.cancel() }
                }
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            let datasets = try await Self.datasetCount(client)
            #expect(datasets == 0)
        }
    }

    @Test func commitAfterIgnoredFailureIsReported() async throws {
        try await withIsolatedSchema { client, _ in
            let error = await #expect(throws: StoreError.self) {
                try await client.withTransaction { transaction in
                    try await transaction.query(Fixtures.datasetInsert(name: "before the failure"))
                    _ = try? await transaction.query("SELECT 1 / 0")
                }
            }
            #expect(error?.code == .transactionAborted)
            let datasets = try await Self.datasetCount(client)
            #expect(datasets == 0)
        }
    }

    @Test func connectionIsReusableAfterRollback() async throws {
        try await withIsolatedSchema(poolSize: 1) { client, _ in
            await #expect(throws: StoreError.self) {
                try await client.withTransaction { transaction in
                    try await transaction.query("SELECT 1 / 0")
                }
            }
            let status = try await client.query("SELECT 1 AS one")
            #expect(try status[0].decode("one", as: Int.self) == 1)
        }
    }
}
