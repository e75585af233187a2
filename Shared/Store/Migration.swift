/// One versioned schema change, compiled into the binary so a service can never start against a
/// schema it does not know how to create.
public struct Migration: Sendable, Hashable {
    /// Strictly increasing across the list; recorded in `schema_migrations`.
    public var version: Int
    /// A short name for logs and the history table.
    public var name: String
    /// One or more `;`-separated statements, run in one transaction.
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}
