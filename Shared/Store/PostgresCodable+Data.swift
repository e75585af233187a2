import Foundation

/// `Data` travels as `bytea` in the hex format (`\x0a1b…`), the server's default output.
extension Data: PostgresCodable {
    public static var postgresType: PostgresDataType { .bytea }

    public var postgresText: String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: 0, count: 2 + 2 * count)
        text[0] = UInt8(ascii: "\\")
        text[1] = UInt8(ascii: "x")
        for (offset, byte) in enumerated() {
            text[2 + 2 * offset] = hexDigits[Int(byte >> 4)]
            text[3 + 2 * offset] = hexDigits[Int(byte & 0x0f)]
        }
        return String(decoding: text, as: UTF8.self)
    }

    public init?(postgresText: String, type: PostgresDataType) {
        let text = Array(postgresText.utf8)
        guard type == .bytea, text.count % 2 == 0, text.starts(with: Array(#"\x"#.utf8)) else { return nil }
        func nibble(_ character: UInt8) -> UInt8? {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.count / 2 - 1)
        var index = 2
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self = Data(bytes)
    }
}
