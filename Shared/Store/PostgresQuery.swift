/// A statement and its bound parameters, written as a string literal with interpolations.
///
/// Each interpolated value becomes a `$n` placeholder and a typed parameter, so
/// `"SELECT * FROM cases WHERE id = \(caseID)"` never puts the value into the SQL text: splicing is
/// impossible by construction. Identifiers (schema or table names chosen at run time) go through
/// `\(identifier: name)`, which quotes them.
public struct PostgresQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL with `$1…$n` placeholders.
    public private(set) var sql: String
    /// The parameters, in placeholder order.
    public private(set) var bindings: [PostgresBinding]

    public init(stringLiteral value: String) {
        sql = value
        bindings = []
    }

    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        bindings = stringInterpolation.bindings
    }

    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var sql = ""
        fileprivate var bindings: [PostgresBinding] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + 4 * interpolationCount)
            bindings.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds a value as the next parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            bind(PostgresBinding(type: Value.postgresType, text: value.postgresText))
        }

        /// Binds a value, or a typed NULL when it is `nil`.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            bind(PostgresBinding(type: Value.postgresType, text: value?.postgresText))
        }

        /// Inserts a quoted identifier (`"name"`, inner quotes doubled): names can be chosen at run
        /// time, but cannot end the identifier.
        public mutating func appendInterpolation(identifier: String) {
            sql += "\"" + identifier.replacing("\"", with: "\"\"") + "\""
        }

        private mutating func bind(_ binding: PostgresBinding) {
            bindings.append(binding)
            sql += "$\(bindings.count)"
        }
    }
}

/// One bound parameter: its declared type and its text, or `nil` for NULL.
public struct PostgresBinding: Sendable, Hashable {
    public var type: PostgresDataType
    public var text: String?
}
