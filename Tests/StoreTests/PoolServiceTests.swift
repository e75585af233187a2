import Foundation
import ServiceLifecycle
import Store
import TestSupport
import Testing

/// The pool as a service: it lives as long as its service group and closes its connections when
/// the group shuts down gracefully, so a stopping service leaves no session on the server.
@Suite(.tags(.stack), .needsLocalStack) struct PoolServiceTests {
    @Test func gracefulShutdownClosesThePoolsConnections() async throws {
        try await withIsolatedSchema(poolSize: 2, migrated: false) { _, configuration in
            let client = PostgresClient(configuration: configuration, logger: quietLogger)
            let group = ServiceGroup(services: [client], logger: quietLogger)
            let running = Task { try await group.run() }
            // Two connections leased at once, both idle in the pool afterwards.
            let pids: [Int] = try await client.withConnection { first in
                try await client.withConnection { second in
                    [
                        try await first.query("SELECT pg_backend_pid() AS pid")[0].decode("pid"),
                        try await second.query("SELECT pg_backend_pid() AS pid")[0].decode("pid"),
                    ]
                }
            }
            #expect(try await sessions(pids) == 2)

            await group.triggerGracefulShutdown()
            try await within(.seconds(20), "the pool's service to stop") { try await running.value }
            // A session ends on the server shortly after its client closes it.
            try await within(.seconds(20), "the pool's sessions to end") {
                while try await sessions(pids) > 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            let error = await #expect(throws: StoreError.self) { try await client.query("SELECT 1") }
            #expect(error?.code == .poolClosed)
        }
    }

    /// How many of the server processes `pids` still serve a session.
    private func sessions(_ pids: [Int]) async throws -> Int {
        var count = 0
        try await withAdminClient { admin in
            count = try await admin.query(
                """
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE pid = \(Int32(pids[0])) OR pid = \(Int32(pids[1]))
                """)[0].decode("n")
        }
        return count
    }
}
