import Foundation
import Store
import TestSupport
import Testing

@Suite(.tags(.stack), .needsLocalStack) struct PoolTests {
    @Test func moreConcurrentQueriesThanConnections() async throws {
        try await withIsolatedSchema(poolSize: 2) { client, _ in
            let results = try await withThrowingTaskGroup(of: (Int, Int, Int).self) { group in
                for index in 0..<24 {
                    group.addTask {
                        let rows = try await client.query("SELECT \(index) AS echo, pg_backend_pid() AS pid")
                        return (
                            index, try rows[0].decode("echo", as: Int.self), try rows[0].decode("pid", as: Int.self)
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 24)
            #expect(results.allSatisfy { $0.0 == $0.1 })
            #expect(Set(results.map(\.2)).count <= 2)
        }
    }

    @Test func cancelledWaiterDoesNotKeepAConnection() async throws {
        try await withIsolatedSchema(poolSize: 1) { client, _ in
            let (held, holding) = AsyncStream<Void>.makeStream()
            let (release, releasing) = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await client.withConnection { connection in
                    try await connection.query("SELECT 1")
                    holding.yield()
                    for await _ in release { break }
                }
            }
            for await _ in held { break }
            let waiter = Task { try await client.query("SELECT 1") }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            releasing.yield()
            try await holder.value
            let rows = try await client.query("SELECT 2 AS two")
            #expect(try rows[0].decode("two", as: Int.self) == 2)
        }
    }

    @Test func connectionDroppedByTheServerIsReplaced() async throws {
        try await withIsolatedSchema(poolSize: 1) { client, _ in
            let before = try await client.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int.self)
            try await withAdminClient { admin in
                let terminated = try await admin.query(
                    "SELECT pg_terminate_backend(\(Int32(before)), \(Int64(30_000))) AS done")
                #expect(try terminated[0].decode("done", as: Bool.self))
            }
            let after = try await client.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int.self)
            #expect(after != before)
        }
    }

    @Test func connectionLostMidLeaseIsDiscarded() async throws {
        try await withIsolatedSchema(poolSize: 1) { client, _ in
            let lost = try await client.withConnection { connection in
                let pid = try await connection.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int.self)
                try await withAdminClient { admin in
                    try await admin.query("SELECT pg_terminate_backend(\(Int32(pid)), \(Int64(30_000)))")
                }
                return await #expect(throws: StoreError.self) { try await connection.query("SELECT 1") }
            }
            #expect(lost?.code == .connection)
            let rows = try await client.query("SELECT 3 AS three")
            #expect(try rows[0].decode("three", as: Int.self) == 3)
        }
    }

    @Test func queriesAfterShutdownFail() async throws {
        try await withIsolatedSchema { client, _ in
            try await client.query("SELECT 1")
            await client.shutdown()
            let error = await #expect(throws: StoreError.self) { try await client.query("SELECT 1") }
            #expect(error?.code == .poolClosed)
        }
    }

    @Test func unreachableServerIsAConnectionError() async throws {
        let configuration = PostgresConfiguration(
            connectionString: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", poolSize: 1)
        let client = PostgresClient(configuration: configuration, logger: quietLogger)
        let error = await #expect(throws: StoreError.self) { try await client.query("SELECT 1") }
        #expect(error?.code == .connection)
        await client.shutdown()
    }
}
