import Foundation
import Store
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Waiting on PostgreSQL is bounded: a cancelled task cancels its statement on the server, the
/// statement timeout stops a long statement with its own code, and a server that does not answer
/// a connection attempt is given up on after the connect timeout.
@Suite(.tags(.stack), .needsLocalStack) struct TimeoutTests {
    /// The task is cancelled about half a second into a 30 s statement: the call ends promptly
    /// with `CancellationError`, the server runs nothing for it any more, and the connection
    /// serves the next statement.
    @Test func aCancelledStatementIsCancelledOnTheServer() async throws {
        try await withIsolatedSchema(poolSize: 1, migrated: false) { _, base in
            var configuration = base
            configuration.applicationName = "activeseg-cancel-\(UUID().uuidString.prefix(8))"
            let client = PostgresClient(configuration: configuration, logger: quietLogger)
            let sleeper = Task { try await client.query("SELECT pg_sleep(30)") }
            try await waitUntilActive(configuration.applicationName)
            try await Task.sleep(for: .milliseconds(500))

            let cancelled = ContinuousClock.now
            sleeper.cancel()
            let outcome = try await within(.seconds(20), "the cancelled statement to return") {
                await sleeper.result
            }
            let waited = ContinuousClock.now - cancelled
            #expect(throws: CancellationError.self) { try outcome.get() }
            #expect(waited < .seconds(5), "returned \(waited) after the cancellation")
            #expect(try await activeStatements(configuration.applicationName) == 0)

            let rows = try await client.query("SELECT 7 AS seven")
            #expect(try rows[0].decode("seven", as: Int.self) == 7)
            await client.shutdown()
        }
    }

    /// Cancelled inside a transaction, the statement stops and the transaction rolls back: the row
    /// written before it is not stored.
    @Test func aCancelledTransactionLeavesNothingBehind() async throws {
        try await withIsolatedSchema(poolSize: 1) { _, base in
            var configuration = base
            configuration.applicationName = "activeseg-cancel-\(UUID().uuidString.prefix(8))"
            let client = PostgresClient(configuration: configuration, logger: quietLogger)
            try await client.query("CREATE TABLE marks (id integer PRIMARY KEY)")
            let writer = Task {
                try await client.withTransaction { transaction in
                    try await transaction.query("INSERT INTO marks VALUES (1)")
                    try await transaction.query("SELECT pg_sleep(30)")
                }
            }
            try await waitUntilActive(configuration.applicationName)
            writer.cancel()
            let outcome = try await within(.seconds(20), "the cancelled transaction to return") { await writer.result }
            #expect(throws: CancellationError.self) { try outcome.get() }
            let rows = try await client.query("SELECT count(*) AS n FROM marks")
            #expect(try rows[0].decode("n", as: Int.self) == 0)
            await client.shutdown()
        }
    }

    /// A statement running past the statement timeout is stopped by the server and reported as
    /// `statementTimeout`; statements within it run as before. The connection is opened first, so
    /// the bound measures the statement alone (connecting on a loaded machine can take seconds): a
    /// 60 s sleep that ends within 30 s was stopped by the server.
    @Test func aStatementPastTheTimeoutFailsWithItsOwnCode() async throws {
        try await withIsolatedSchema(poolSize: 1, migrated: false) { _, base in
            var configuration = base
            configuration.statementTimeout = .milliseconds(300)
            let client = PostgresClient(configuration: configuration, logger: quietLogger)
            _ = try await client.query("SELECT 1")
            let started = ContinuousClock.now
            let error = await #expect(throws: StoreError.self) { try await client.query("SELECT pg_sleep(60)") }
            #expect(error?.code == .statementTimeout, "\(String(describing: error))")
            #expect(error?.sqlState == "57014")
            let waited = ContinuousClock.now - started
            #expect(waited < .seconds(30), "the statement returned after \(waited)")
            let setting = try await client.query("SELECT current_setting('statement_timeout') AS timeout")
            #expect(try setting[0].decode("timeout", as: String.self) == "300ms")
            let rows = try await client.query("SELECT 1 AS one")
            #expect(try rows[0].decode("one", as: Int.self) == 1)
            await client.shutdown()
        }
    }

    /// A server that accepts the TCP connection but never answers (a hung host) is given up on
    /// after the connect timeout, with a connection error, not waited on for minutes.
    @Test func aServerThatNeverAnswersIsGivenUpOnAtTheConnectTimeout() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let client = PostgresClient(
            configuration: PostgresConfiguration(
                connectionString: "host=127.0.0.1 port=\(listener.port) dbname=none user=nobody sslmode=disable",
                poolSize: 1, connectTimeout: .seconds(2)), logger: quietLogger)
        let started = ContinuousClock.now
        let outcome = try await within(.seconds(60), "the connection attempt to give up") {
            await Task { try await client.query("SELECT 1") }.result
        }
        let waited = ContinuousClock.now - started
        let error = #expect(throws: StoreError.self) { try outcome.get() }
        #expect(error?.code == .connection, "\(String(describing: error))")
        #expect(waited >= .milliseconds(1_500) && waited < .seconds(30), "gave up after \(waited)")
        await client.shutdown()
    }

    /// Nothing listens on the port: the attempt fails at once, well within the connect timeout.
    @Test func aClosedPortFailsWithinTheConnectTimeout() async throws {
        let port = try LoopbackSocket.freePort()
        let client = PostgresClient(
            configuration: PostgresConfiguration(
                connectionString: "host=127.0.0.1 port=\(port) dbname=none user=nobody", poolSize: 1,
                connectTimeout: .seconds(2)), logger: quietLogger)
        let started = ContinuousClock.now
        let error = await #expect(throws: StoreError.self) { try await client.query("SELECT 1") }
        #expect(error?.code == .connection)
        #expect(ContinuousClock.now - started < .seconds(30))
        await client.shutdown()
    }

    /// Returns once the server runs a statement for `application`.
    private func waitUntilActive(_ application: String) async throws {
        try await within(.seconds(20), "the statement to start on the server") {
            while try await activeStatements(application) == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Statements the server is running for `application`'s sessions.
    private func activeStatements(_ application: String) async throws -> Int {
        var count = 0
        try await withAdminClient { admin in
            count = try await admin.query(
                """
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE application_name = \(application) AND state = 'active'
                """)[0].decode("n")
        }
        return count
    }
}

/// A loopback TCP port whose connections the kernel accepts (into the listen backlog) but nobody
/// ever reads from or answers: a server that hangs during the connection handshake.
final class SilentListener: Sendable {
    let port: Int
    private let socketFD: Int32

    init() throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listening >= 0 else { throw POSIXError(.EMFILE) }
        guard LoopbackSocket.bind(listening, port: 0), listen(listening, 8) == 0 else {
            Glibc.close(listening)
            throw POSIXError(.EADDRINUSE)
        }
        socketFD = listening
        port = LoopbackSocket.port(of: listening)
    }

    func close() {
        Glibc.close(socketFD)
    }
}
