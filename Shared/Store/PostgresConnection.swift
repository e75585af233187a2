import CLibPQ
import Dispatch
import Foundation
import Logging
import Redaction

/// One libpq connection and the serial queue all of its (blocking) libpq calls run on.
///
/// libpq blocks its calling thread for the whole network round trip, so no call is made from
/// Swift's cooperative pool: each runs on this connection's own `DispatchQueue`, and the awaiting
/// task is resumed through a continuation. The `PGconn` is touched only on that queue, which is what
/// makes the class safe to share; it is freed exactly once, by ``close()`` or at deinit.
///
/// Bounds on waiting (see ``PostgresConfiguration``): opening the connection gives up after the
/// connect timeout, the server stops a statement after the statement timeout, and cancelling the
/// task that awaits a statement cancels the statement on the server (``query(_:)``).
public final class PostgresConnection: @unchecked Sendable {
    let id: Int
    private let configuration: PostgresConfiguration
    private let logger: Logger
    private let queue: DispatchQueue
    /// The `PGconn`; read and written only on `queue` (or in deinit, when nothing else can).
    private var handle: OpaquePointer?
    /// The cancel key of the session `handle` is connected to; replaced on reconnect. Only on `queue`.
    private var cancelKey: CancelKey?

    private init(id: Int, configuration: PostgresConfiguration, logger: Logger) {
        self.id = id
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "db.connection"] = "\(id)"
        self.logger = logger
        queue = DispatchQueue(label: "activeseg.store.connection.\(id)")
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection and prepares its session (UTC, ISO dates, the configured schema).
    static func connect(
        id: Int, configuration: PostgresConfiguration, logger: Logger
    ) async throws
        -> PostgresConnection
    {
        let connection = PostgresConnection(id: id, configuration: configuration, logger: logger)
        try await connection.onQueue { try connection.open() }
        connection.logger.debug("opened Postgres connection")
        return connection
    }

    /// Runs a statement with its bound parameters.
    ///
    /// Cancelling the calling task cancels the statement: one not sent yet is not sent, one the
    /// server is running is cancelled there (libpq's `PQcancel`, from a thread of its own), and the
    /// call throws `CancellationError` as soon as the server has stopped it; the connection stays
    /// usable (inside a transaction, the transaction is failed and must be rolled back). A
    /// statement that completed before the cancellation reached the server returns its rows.
    /// A statement the server stops at the statement timeout throws
    /// ``StoreError/Code/statementTimeout``.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try Task.checkCancellation()
        let statement = StatementCancellation()
        let logger = self.logger
        return try await withTaskCancellationHandler {
            try await run(query, statement)
        } onCancel: {
            statement.cancel { failure in
                logger.warning("Postgres did not take a cancel request", metadata: ["db.error": "\(failure)"])
            }
        }
    }

    /// Runs a statement without cancellation: ROLLBACK and COMMIT must run for a cancelled task.
    func run(_ query: PostgresQuery) async throws -> PostgresRows {
        try await run(query, nil)
    }

    private func run(_ query: PostgresQuery, _ statement: StatementCancellation?) async throws -> PostgresRows {
        logger.trace("query", metadata: ["db.statement": "\(query.sql)"])
        return try await onQueue { try self.execute(query, statement) }
    }

    /// Runs several `;`-separated statements without parameters (migration scripts, which are
    /// string literals compiled into the binary).
    func runScript(_ sql: String) async throws {
        try await onQueue {
            let handle = try self.openHandle()
            let result = PQexec(handle, sql)
            defer { PQclear(result) }
            _ = try Self.rows(from: result, connection: handle, query: sql)
        }
    }

    /// Makes an idle connection fit for a new lease: reads what the server sent while it was idle
    /// and, when the server closed it (restart, `pg_terminate_backend`), reconnects in place.
    func makeUsable() async throws {
        try await onQueue {
            let handle = try self.openHandle()
            if Self.consumeIdleInput(handle) { return }
            self.logger.notice(
                "Postgres connection lost while idle; reconnecting",
                metadata: ["db.error": "\(Self.errorMessage(handle))"])
            self.cancelKey = nil
            PQreset(handle)
            try self.checkConnected(handle)
            self.cancelKey = CancelKey(handle)
            try self.prepareSession(handle)
        }
    }

    /// Whether the connection can go back to the pool: connected, and not inside a transaction.
    func isReusable() async -> Bool {
        (try? await onQueue {
            guard let handle = self.handle else { return false }
            return PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
        }) ?? false
    }

    /// Closes the connection (once; later calls do nothing).
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                if let handle = self.handle {
                    self.cancelKey = nil
                    PQfinish(handle)
                    self.handle = nil
                    self.logger.debug("closed Postgres connection")
                }
                continuation.resume()
            }
        }
    }

    // MARK: - On the connection's queue

    private func onQueue<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result(catching: body)) }
        }
    }

    private func open() throws {
        // Keywords are applied in order, later ones winning: the connection string (`dbname`,
        // expanded) overrides the timeout, the client settings after it override the string.
        var parameters: [(String, String)] = []
        if let timeout = configuration.connectTimeout {
            parameters.append(("connect_timeout", "\(max(timeout.roundedUpSeconds, 1))"))
        }
        parameters += [
            ("dbname", configuration.connectionString),
            ("client_encoding", "UTF8"),
            ("fallback_application_name", configuration.applicationName),
        ]
        let keywords = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let handle = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keywordArray in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { valueArray in
                PQconnectdbParams(keywordArray.baseAddress, valueArray.baseAddress, 1)
            }
        }
        guard let handle else {
            throw StoreError(code: .connection, message: "libpq could not allocate a connection")
        }
        self.handle = handle
        try checkConnected(handle)
        cancelKey = CancelKey(handle)
        let receiver: PQnoticeReceiver = { context, result in
            guard let context, let result else { return }
            let connection = Unmanaged<PostgresConnection>.fromOpaque(context).takeUnretainedValue()
            let message = String(cString: PQresultErrorMessage(result))
            connection.logger.debug("Postgres notice", metadata: ["db.notice": "\(message)"])
        }
        PQsetNoticeReceiver(handle, receiver, Unmanaged.passUnretained(self).toOpaque())
        try prepareSession(handle)
    }

    /// Reads everything the server sent while the connection was idle; `false` when that ended the
    /// connection. A terminated backend sends an error and then closes the socket, which libpq sees
    /// only on a later read, so reading goes on while the socket has data.
    private static func consumeIdleInput(_ handle: OpaquePointer) -> Bool {
        var socket = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        repeat {
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else { return false }
            while let notification = PQnotifies(handle) {
                PQfreemem(notification)
            }
            socket.revents = 0
        } while poll(&socket, 1, 0) == 1
        return true
    }

    private func openHandle() throws -> OpaquePointer {
        guard let handle else {
            throw StoreError(code: .connection, message: "the connection is closed")
        }
        return handle
    }

    private func checkConnected(_ handle: OpaquePointer) throws {
        guard PQstatus(handle) == CONNECTION_OK else {
            throw StoreError(code: .connection, message: Self.errorMessage(handle))
        }
    }

    /// Session settings the value codecs rely on, the statement timeout, and the configured schema.
    private func prepareSession(_ handle: OpaquePointer) throws {
        var sql = "SET TIME ZONE 'UTC'; SET DateStyle TO 'ISO, MDY'"
        if let timeout = configuration.statementTimeout {
            sql += "; SET statement_timeout TO \(max(timeout.roundedUpMilliseconds, 1))"
        }
        if let schema = configuration.schema {
            let searchPath: PostgresQuery = "; SET search_path TO \(identifier: schema)"
            sql += searchPath.sql
        }
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        _ = try Self.rows(from: result, connection: handle, query: sql)
    }

    private func execute(_ query: PostgresQuery, _ statement: StatementCancellation?) throws -> PostgresRows {
        let handle = try openHandle()
        let texts = query.bindings.map { $0.text.map { strdup($0) } ?? nil }
        defer { texts.forEach { free($0) } }
        let types = query.bindings.map(\.type.oid)
        if let statement, !statement.begin(cancelKey) { throw CancellationError() }
        let started = ContinuousClock.now
        let result = texts.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
            PQexecParams(
                handle, query.sql, Int32(texts.count), types, values.baseAddress, nil, nil, 0)
        }
        let cancelled = statement?.end() ?? false
        defer { PQclear(result) }
        do {
            return try Self.rows(from: result, connection: handle, query: query.sql)
        } catch var error as StoreError where error.sqlState == Self.queryCanceled {
            if cancelled { throw CancellationError() }
            // The same SQLSTATE reports the statement timeout and another session's
            // pg_cancel_backend; only the first comes after the timeout has passed.
            if let timeout = configuration.statementTimeout, ContinuousClock.now - started >= timeout {
                error.code = .statementTimeout
            }
            throw error
        }
    }

    /// SQLSTATE `query_canceled`: a cancel request, or the statement timeout.
    private static let queryCanceled = "57014"

    /// Turns a libpq result into rows or a ``StoreError``; the caller still frees `result`.
    private static func rows(
        from result: OpaquePointer?, connection: OpaquePointer, query: String
    ) throws
        -> PostgresRows
    {
        guard let result else {
            throw StoreError(code: .connection, message: errorMessage(connection), query: query)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(copying: result, query: query)
        default:
            // The PG_DIAG_* field codes are character macros, which Swift does not import.
            func field(_ code: Character) -> String? {
                PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            let sqlState = field("C")
            let lost = PQstatus(connection) != CONNECTION_OK
            let code: StoreError.Code = lost ? .connection : sqlState.map(StoreError.Code.forSQLState) ?? .query
            throw StoreError(
                code: code, sqlState: sqlState,
                message: field("M") ?? errorMessage(connection), detail: field("D"), constraint: field("n"),
                query: query)
        }
    }

    /// libpq's last message, credentials redacted: its connection-string parse errors quote the
    /// string, password and all.
    private static func errorMessage(_ handle: OpaquePointer) -> String {
        redactingCredentials(
            in: String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
