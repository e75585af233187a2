/// The connection a ``PostgresClient/withTransaction(isolation:_:)`` body runs its statements on.
///
/// Valid only inside that body; it deliberately offers no COMMIT or ROLLBACK of its own, so the
/// transaction's end is decided in one place.
public struct PostgresTransaction: Sendable {
    let connection: PostgresConnection

    /// Runs one statement inside the transaction.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await connection.query(query)
    }
}
