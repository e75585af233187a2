/// Anything a statement can run on: the pool (each statement its own transaction) or an open
/// transaction, so one record function serves both a lone read and a step of a larger transaction.
public protocol PostgresQuerying: Sendable {
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> PostgresRows
}

extension PostgresClient: PostgresQuerying {}
extension PostgresTransaction: PostgresQuerying {}

extension PostgresRow {
    /// A text column read as one of a fixed set of values (the column's CHECK constraint).
    public func decode<Value: RawRepresentable<String>>(
        _ column: String, as type: Value.Type = Value.self
    )
        throws(StoreError) -> Value
    {
        let text: String = try decode(column)
        guard let value = Value(rawValue: text) else {
            throw StoreError(code: .decoding, message: "column \"\(column)\" holds '\(text)', not a \(Value.self)")
        }
        return value
    }
}

extension PostgresQuery.StringInterpolation {
    /// Inserts SQL text fixed at compile time, such as a column list several statements share; a
    /// `StaticString` cannot carry a run-time value, so this cannot splice one in.
    mutating func appendInterpolation(sql: StaticString) {
        appendLiteral("\(sql)")
    }
}
