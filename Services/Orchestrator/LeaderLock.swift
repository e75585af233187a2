import Logging
import Store

/// Leadership among orchestrator instances: a PostgreSQL session advisory lock held on a
/// connection of its own, so only one instance advances experiments at a time.
///
/// The lock lives exactly as long as its session: when the leader's process dies or its
/// connection drops, the server releases it, and a waiting instance, which retries
/// `pg_try_advisory_lock` at `retryInterval`, takes over. The leader checks its session at the
/// same interval and gives up leadership when the session is gone. Trying instead of blocking in
/// `pg_advisory_lock` keeps a waiting instance cancellable.
struct LeaderLock: Sendable {
    /// The lock's key: names "the active orchestrator" of one deployment, i.e. one schema
    /// (deployments sharing a database keep their state in separate schemas).
    let key: Int64

    let configuration: PostgresConfiguration
    let retryInterval: Duration
    let logger: Logger

    init(configuration: PostgresConfiguration, retryInterval: Duration = .milliseconds(500), logger: Logger) {
        var configuration = configuration
        configuration.poolSize = 1
        configuration.applicationName += "-leader"
        self.configuration = configuration
        key = Self.key(schema: configuration.schema ?? "public")
        self.retryInterval = retryInterval
        self.logger = logger
    }

    /// Waits for the lock, runs `lead` while holding it, and returns when `lead` returns or the
    /// lock's session is lost (then `lead` is cancelled). `lead` receives the session's backend
    /// process id, by which an operator can find (or end) the leader's session.
    func whileLeading(_ lead: @escaping @Sendable (_ backendPID: Int) async throws -> Void) async throws {
        // A pool of one connection, the lock's session, that lives as long as this call: its run
        // ends, closing the session, when holding the lock does.
        let client = PostgresClient(configuration: configuration, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await hold(on: client, lead)
        }
    }

    private func hold(on client: PostgresClient, _ lead: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await client.withConnection { session in
            let pid: Int = try await acquire(on: session)
            logger.notice("leading", metadata: ["db.backend-pid": "\(pid)"])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await lead(pid) }
                group.addTask { try await watch(session) }
                try await group.next()
                group.cancelAll()
            }
            _ = try? await session.query("SELECT pg_advisory_unlock(\(key))")
            logger.notice("no longer leading", metadata: ["db.backend-pid": "\(pid)"])
        }
    }

    /// 64-bit FNV-1a of the schema name: stable across processes and versions, unlike `hashValue`.
    static func key(schema: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "activeseg-orchestrator:\(schema)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    private func acquire(on session: PostgresConnection) async throws -> Int {
        while true {
            let row = try await session.query(
                "SELECT pg_try_advisory_lock(\(key)) AS acquired, pg_backend_pid() AS pid")[0]
            if try row.decode("acquired", as: Bool.self) {
                return try row.decode("pid")
            }
            try await Task.sleep(for: retryInterval)
        }
    }

    /// Returns when the session is gone; a lost session cannot hold the lock any more.
    private func watch(_ session: PostgresConnection) async throws {
        while true {
            try await Task.sleep(for: retryInterval)
            do {
                _ = try await session.query("SELECT 1")
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("leader session lost", metadata: ["db.error": "\(error)"])
                return
            }
        }
    }
}
