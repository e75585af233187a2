import Logging
import ServiceLifecycle
import Synchronization

/// A bounded pool of Postgres connections: the entry point services use for queries, transactions
/// and migrations.
///
/// At most ``PostgresConfiguration/poolSize`` connections are open; further callers wait in line
/// (first come, first served) and leave the line when their task is cancelled. A connection that
/// comes back broken or still inside a transaction is closed and its place goes to the next caller,
/// which opens a fresh one; an idle connection the server dropped is reconnected when next leased.
///
/// The pool is a swift-service-lifecycle `Service`, as postgres-nio's client is: a service adds it
/// to its service group before the services that query through it, and its ``run()`` keeps the
/// pool until graceful shutdown, when those services have stopped, and then closes the
/// connections. Connections open on first use, so queries (and migrations) may come before the
/// group runs.
public final class PostgresClient: Service, Sendable {
    public let configuration: PostgresConfiguration
    let logger: Logger
    private let state = Mutex(PoolState())

    /// What a waiting caller is handed: an idle connection, or the right to open one.
    private enum Grant {
        case connection(PostgresConnection)
        case openSlot
    }

    private struct PoolState: ~Copyable {
        var idle: [PostgresConnection] = []
        /// Connections that exist or are being opened; never above the pool size.
        var openCount = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Grant, any Error>)] = []
        var nextWaiterID: UInt64 = 0
        var nextConnectionID = 0
        var isShutDown = false
    }

    /// Creates the pool; connections are opened on first use.
    public init(configuration: PostgresConfiguration, logger: Logger) {
        precondition(configuration.poolSize > 0, "a connection pool needs at least one connection")
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs one statement on a pooled connection (in its own implicit transaction).
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withConnection { try await $0.query(query) }
    }

    /// Leases a connection for the duration of `body`; use it for work that needs one session
    /// (session-level advisory locks, several statements without a transaction). Whatever session
    /// state `body` leaves behind stays with the connection.
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease()
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            await release(connection)
            throw error
        }
        await release(connection)
        return result
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws or when the task
    /// was cancelled meanwhile (then `CancellationError` is thrown). A COMMIT that the server turns
    /// into a rollback, because an error inside was caught and ignored, throws
    /// ``StoreError/Code/transactionAborted``.
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.query("BEGIN")
            let result: Result
            do {
                result = try await body(PostgresTransaction(connection: connection))
                try Task.checkCancellation()
            } catch {
                do {
                    _ = try await connection.run("ROLLBACK")
                } catch let rollbackError {
                    logger.warning(
                        "ROLLBACK failed; the connection will be discarded",
                        metadata: ["db.error": "\(rollbackError)"])
                }
                throw error
            }
            let commit = try await connection.run("COMMIT")
            if commit.commandTag == "ROLLBACK" {
                throw StoreError(
                    code: .transactionAborted,
                    message: "the transaction was rolled back at COMMIT because a statement in it had failed",
                    query: "COMMIT")
            }
            return result
        }
    }

    /// Keeps the pool until graceful shutdown or cancellation, then closes it as ``shutdown()``
    /// does: later queries fail with ``StoreError/Code/poolClosed``.
    public func run() async {
        // Returns on graceful shutdown and throws on cancellation: the pool closes either way.
        try? await gracefulShutdown()
        logger.debug("closing the Postgres connection pool")
        await shutdown()
    }

    /// Closes idle connections and fails waiting callers with ``StoreError/Code/poolClosed``;
    /// leased connections are closed when they come back. A service leaves this to ``run()``; a
    /// test that uses a client outside a service group calls it when done.
    package func shutdown() async {
        let (idle, waiters) = state.withLock { state in
            state.isShutDown = true
            state.openCount -= state.idle.count
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: Self.closedError)
        }
        for connection in idle {
            await connection.close()
        }
    }

    // MARK: - Leasing

    private static let closedError = StoreError(code: .poolClosed, message: "the Postgres client was shut down")

    private func lease() async throws -> PostgresConnection {
        let waiterID = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let grant = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                state.withLock { state in
                    if state.isShutDown {
                        continuation.resume(throwing: Self.closedError)
                    } else if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else if let connection = state.idle.popLast() {
                        continuation.resume(returning: .connection(connection))
                    } else if state.openCount < configuration.poolSize {
                        state.openCount += 1
                        continuation.resume(returning: .openSlot)
                    } else {
                        state.waiters.append((waiterID, continuation))
                    }
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                state.waiters.firstIndex { $0.id == waiterID }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
        switch grant {
        case .connection(let connection):
            do {
                try await connection.makeUsable()
                return connection
            } catch {
                await connection.close()
                giveUpSlot()
                throw error
            }
        case .openSlot:
            do {
                let id = state.withLock { state in
                    state.nextConnectionID += 1
                    return state.nextConnectionID
                }
                return try await PostgresConnection.connect(id: id, configuration: configuration, logger: logger)
            } catch {
                giveUpSlot()
                throw error
            }
        }
    }

    private func release(_ connection: PostgresConnection) async {
        let reusable = await connection.isReusable()
        let handedOver = state.withLock { state -> Bool in
            guard reusable, !state.isShutDown else { return false }
            if state.waiters.isEmpty {
                state.idle.append(connection)
            } else {
                state.waiters.removeFirst().continuation.resume(returning: .connection(connection))
            }
            return true
        }
        if !handedOver {
            await connection.close()
            giveUpSlot()
        }
    }

    /// A connection is gone (closed, or never opened): the next waiter may open one in its place.
    private func giveUpSlot() {
        state.withLock { state in
            if !state.isShutDown, !state.waiters.isEmpty {
                state.waiters.removeFirst().continuation.resume(returning: .openSlot)
            } else {
                state.openCount -= 1
            }
        }
    }
}
