/// A Swift value that can be sent as a bound parameter, in PostgreSQL's text format.
///
/// Values only ever travel as parameters of `PQexecParams`, never inside the SQL text, so no value
/// can change a statement's meaning.
public protocol PostgresEncodable: Sendable {
    /// The parameter's declared type.
    static var postgresType: PostgresDataType { get }
    /// The value as PostgreSQL's text input function reads it.
    var postgresText: String { get }
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// Builds the value from the text of a column of `type`; `nil` when the type is not one this
    /// Swift type reads or the text is malformed.
    init?(postgresText: String, type: PostgresDataType)
}

/// A value that travels both ways.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable
