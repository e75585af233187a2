import CLibPQ

/// A PostgreSQL type, by its object id.
///
/// Bound parameters carry their type so the server never has to guess (an untyped `$1` in
/// `$1 IS NULL` is an error); decoders check a column's type so a schema change is reported by name
/// instead of silently misread.
public struct PostgresDataType: Hashable, Sendable, CustomStringConvertible {
    public let oid: Oid

    public init(oid: Oid) { self.oid = oid }

    public static let bool = PostgresDataType(oid: 16)
    public static let bytea = PostgresDataType(oid: 17)
    public static let name = PostgresDataType(oid: 19)
    public static let int8 = PostgresDataType(oid: 20)
    public static let int2 = PostgresDataType(oid: 21)
    public static let int4 = PostgresDataType(oid: 23)
    public static let text = PostgresDataType(oid: 25)
    public static let float4 = PostgresDataType(oid: 700)
    public static let float8 = PostgresDataType(oid: 701)
    public static let float4Array = PostgresDataType(oid: 1021)
    public static let bpchar = PostgresDataType(oid: 1042)
    public static let varchar = PostgresDataType(oid: 1043)
    public static let timestamp = PostgresDataType(oid: 1114)
    public static let timestamptz = PostgresDataType(oid: 1184)
    public static let numeric = PostgresDataType(oid: 1700)
    public static let uuid = PostgresDataType(oid: 2950)

    private static let names: [Oid: String] = [
        16: "bool", 17: "bytea", 19: "name", 20: "int8", 21: "int2", 23: "int4", 25: "text",
        700: "float4", 701: "float8", 1021: "float4[]", 1042: "bpchar", 1043: "varchar",
        1114: "timestamp", 1184: "timestamptz", 1700: "numeric", 2950: "uuid",
    ]

    public var description: String { Self.names[oid] ?? "oid \(oid)" }
}
