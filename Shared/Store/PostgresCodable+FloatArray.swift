/// `[Float]` travels as a one-dimensional `float4[]` (`{0.5,-1.25,NaN}`), the type of stored feature
/// vectors, so SQL can check their length and content.
extension Array: PostgresEncodable where Element == Float {
    public static var postgresType: PostgresDataType { .float4Array }

    public var postgresText: String {
        "{" + map(PostgresFloatText.format).joined(separator: ",") + "}"
    }
}

extension Array: PostgresDecodable where Element == Float {
    public init?(postgresText: String, type: PostgresDataType) {
        guard type == .float4Array, postgresText.first == "{", postgresText.last == "}" else { return nil }
        let body = postgresText.dropFirst().dropLast()
        if body.isEmpty {
            self = []
            return
        }
        var values = [Float]()
        for element in body.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = PostgresFloatText.parse(String(element), as: Float.self) else { return nil }
            values.append(value)
        }
        self = values
    }
}
