/// An error from the Postgres store: what went wrong, what the server said, and which statement failed.
///
/// Callers branch on ``code`` (for example, a ``Code/uniqueViolation`` on an insert means the row is
/// already there, which an idempotent handler treats as success); people read ``description``.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Constraint kinds are separate codes because services react to them
    /// differently (a duplicate is expected, a broken foreign key is a bug).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case configuration, connection, poolClosed, query, uniqueViolation, foreignKeyViolation
            case checkViolation, notNullViolation, serializationFailure, transactionAborted, decoding, migration
            case statementTimeout
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configuration is missing or malformed.
        public static let configuration = Code(.configuration)
        /// The server could not be reached, or the connection broke.
        public static let connection = Code(.connection)
        /// The client was shut down.
        public static let poolClosed = Code(.poolClosed)
        /// The server rejected a statement for a reason without a code of its own here.
        public static let query = Code(.query)
        /// SQLSTATE 23505.
        public static let uniqueViolation = Code(.uniqueViolation)
        /// SQLSTATE 23503.
        public static let foreignKeyViolation = Code(.foreignKeyViolation)
        /// SQLSTATE 23514.
        public static let checkViolation = Code(.checkViolation)
        /// SQLSTATE 23502.
        public static let notNullViolation = Code(.notNullViolation)
        /// SQLSTATE 40001 or 40P01: the transaction may succeed when retried.
        public static let serializationFailure = Code(.serializationFailure)
        /// The server stopped the statement because it ran past the session's `statement_timeout`
        /// (``PostgresConfiguration/statementTimeout``): SQLSTATE 57014 after at least that long.
        public static let statementTimeout = Code(.statementTimeout)
        /// COMMIT found the transaction already failed (an error inside it was caught and ignored).
        public static let transactionAborted = Code(.transactionAborted)
        /// A column is missing, NULL where a value was expected, or not convertible to the Swift type.
        public static let decoding = Code(.decoding)
        /// The database's schema history does not match the migrations in this binary.
        public static let migration = Code(.migration)

        public var description: String { base.rawValue }

        /// The code for a server error, from its SQLSTATE.
        static func forSQLState(_ state: String) -> Code {
            switch state {
            case "23505": .uniqueViolation
            case "23503": .foreignKeyViolation
            case "23514": .checkViolation
            case "23502": .notNullViolation
            case "40001", "40P01": .serializationFailure
            case _ where state.hasPrefix("08") || state.hasPrefix("57P"): .connection
            default: .query
            }
        }
    }

    public var code: Code
    /// The server's five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// The primary message (the server's, or this library's).
    public var message: String
    /// The server's detail line, e.g. which key already exists.
    public var detail: String?
    /// The violated constraint's name, for constraint errors.
    public var constraint: String?
    /// The SQL of the failed statement, with `$n` placeholders (bound values are never included).
    public var query: String?

    public init(
        code: Code, sqlState: String? = nil, message: String, detail: String? = nil,
        constraint: String? = nil, query: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
        self.query = query
    }

    public var description: String {
        var text = "\(code)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        text += ": \(message)"
        if let constraint { text += " [constraint \(constraint)]" }
        if let detail { text += " — \(detail)" }
        if let query { text += " — in query: \(query)" }
        return text
    }
}
