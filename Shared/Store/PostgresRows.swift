import CLibPQ

/// The rows a statement returned, copied out of libpq's result (which is freed at once).
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// Column names, in select-list order.
    public let columns: [String]
    /// Column types, parallel to ``columns``.
    public let columnTypes: [PostgresDataType]
    /// Rows touched by INSERT, UPDATE, DELETE, … (0 for statements that report none).
    public let affectedRows: Int
    /// The server's command tag, e.g. `INSERT 0 1` or `ROLLBACK`.
    public let commandTag: String
    let query: String
    private let columnIndex: [String: Int]
    private let values: [[String?]]

    /// Copies a successful result; `result` stays owned (and is freed) by the caller.
    init(copying result: OpaquePointer, query: String) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        columnTypes = (0..<columnCount).map { PostgresDataType(oid: PQftype(result, Int32($0))) }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
        commandTag = String(cString: PQcmdStatus(result))
        self.query = query
        var index = [String: Int]()
        for (position, name) in columns.enumerated() where index[name] == nil {
            index[name] = position
        }
        columnIndex = index
        values = (0..<Int32(rowCount)).map { row in
            (0..<Int32(columnCount)).map { column in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
    }

    public var startIndex: Int { values.startIndex }
    public var endIndex: Int { values.endIndex }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(rows: self, index: position)
    }

    fileprivate func column(named name: String) throws(StoreError) -> Int {
        guard let position = columnIndex[name] else {
            throw StoreError(
                code: .decoding,
                message: "no column named \"\(name)\" (columns: \(columns.joined(separator: ", ")))",
                query: query)
        }
        return position
    }

    fileprivate func value(row: Int, column: Int) -> String? { values[row][column] }
}

/// One row; columns are read by name so a reordered select list cannot shift values.
public struct PostgresRow: Sendable {
    fileprivate let rows: PostgresRows
    fileprivate let index: Int

    /// The column's value; NULL is an error naming the column.
    public func decode<Value: PostgresDecodable>(
        _ column: String, as type: Value.Type = Value.self
    )
        throws(StoreError) -> Value
    {
        guard let value = try decode(column, as: Value?.self) else {
            throw StoreError(
                code: .decoding, message: "column \"\(column)\" is NULL, expected \(Value.self)", query: rows.query)
        }
        return value
    }

    /// The column's value, or `nil` for NULL.
    public func decode<Value: PostgresDecodable>(
        _ column: String, as type: Value?.Type = Value?.self
    )
        throws(StoreError) -> Value?
    {
        let position = try rows.column(named: column)
        guard let text = rows.value(row: index, column: position) else { return nil }
        let columnType = rows.columnTypes[position]
        guard let value = Value(postgresText: text, type: columnType) else {
            throw StoreError(
                code: .decoding,
                message: "column \"\(column)\" of type \(columnType) cannot be decoded as \(Value.self)",
                query: rows.query)
        }
        return value
    }
}
