import Foundation

extension String: PostgresCodable {
    public static var postgresType: PostgresDataType { .text }
    public var postgresText: String { self }

    public init?(postgresText: String, type: PostgresDataType) {
        guard [.text, .varchar, .bpchar, .name].contains(type) else { return nil }
        self = postgresText
    }
}

extension Int64: PostgresCodable {
    public static var postgresType: PostgresDataType { .int8 }
    public var postgresText: String { String(self) }

    public init?(postgresText: String, type: PostgresDataType) {
        guard [.int8, .int4, .int2].contains(type), let value = Int64(postgresText) else { return nil }
        self = value
    }
}

extension Int: PostgresCodable {
    public static var postgresType: PostgresDataType { .int8 }
    public var postgresText: String { String(self) }

    public init?(postgresText: String, type: PostgresDataType) {
        guard let value = Int64(postgresText: postgresText, type: type) else { return nil }
        self = Int(value)
    }
}

extension Int32: PostgresCodable {
    public static var postgresType: PostgresDataType { .int4 }
    public var postgresText: String { String(self) }

    public init?(postgresText: String, type: PostgresDataType) {
        guard [.int4, .int2].contains(type), let value = Int32(postgresText) else { return nil }
        self = value
    }
}

extension Double: PostgresCodable {
    public static var postgresType: PostgresDataType { .float8 }
    public var postgresText: String { PostgresFloatText.format(self) }

    public init?(postgresText: String, type: PostgresDataType) {
        guard [.float8, .float4, .int2, .int4, .int8, .numeric].contains(type),
            let value = PostgresFloatText.parse(postgresText, as: Double.self)
        else { return nil }
        self = value
    }
}

extension Float: PostgresCodable {
    public static var postgresType: PostgresDataType { .float4 }
    public var postgresText: String { PostgresFloatText.format(self) }

    public init?(postgresText: String, type: PostgresDataType) {
        guard type == .float4, let value = PostgresFloatText.parse(postgresText, as: Float.self) else { return nil }
        self = value
    }
}

extension Bool: PostgresCodable {
    public static var postgresType: PostgresDataType { .bool }
    public var postgresText: String { self ? "true" : "false" }

    public init?(postgresText: String, type: PostgresDataType) {
        guard type == .bool else { return nil }
        switch postgresText {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }
}

extension UUID: PostgresCodable {
    public static var postgresType: PostgresDataType { .uuid }
    public var postgresText: String { uuidString.lowercased() }

    public init?(postgresText: String, type: PostgresDataType) {
        guard type == .uuid, let value = UUID(uuidString: postgresText) else { return nil }
        self = value
    }
}

/// PostgreSQL's spellings of floating-point values: Swift's shortest round-trip digits for finite
/// values, and `NaN` / `Infinity` / `-Infinity`, which the server's input and output functions use.
enum PostgresFloatText {
    static func format<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return value.description
    }

    static func parse<F: BinaryFloatingPoint & LosslessStringConvertible>(_ text: String, as: F.Type) -> F? {
        switch text {
        case "NaN": .nan
        case "Infinity": .infinity
        case "-Infinity": -.infinity
        default: F(text)
        }
    }
}
