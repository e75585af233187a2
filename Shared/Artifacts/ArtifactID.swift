import Foundation

/// The name of an artifact: the lowercase hex SHA-256 of its bytes.
///
/// Content addressing makes writes idempotent (the same bytes always land under the same name) and
/// lets every reader check that it got exactly what was written.
public struct ArtifactID: Hashable, Sendable, CustomStringConvertible {
    /// 64 lowercase hex digits.
    public let sha256: String

    /// Accepts 64 hex digits (either case); `nil` for anything else, so a malformed reference from a
    /// database row or message can never name a path outside the store.
    public init?(sha256 hex: String) {
        let lowered = hex.lowercased()
        guard lowered.utf8.count == 64, lowered.utf8.allSatisfy({ Self.isHexDigit($0) }) else { return nil }
        sha256 = lowered
    }

    /// The id of `data`.
    init(hashing data: Data) {
        sha256 = SHA256Hasher.hex(of: data)
    }

    /// The id of the bytes `hasher` has seen since it was made or last finalized.
    init(hashed hasher: inout SHA256Hasher) {
        sha256 = hasher.finalize()
    }

    public var description: String { sha256 }

    /// The 32 bytes of the hash.
    var digest: Data {
        var bytes = Data(capacity: 32)
        var digits = sha256.utf8.makeIterator()
        while let high = digits.next(), let low = digits.next() {
            bytes.append(Self.value(of: high) << 4 | Self.value(of: low))
        }
        return bytes
    }

    private static func value(of digit: UInt8) -> UInt8 {
        digit <= UInt8(ascii: "9") ? digit - UInt8(ascii: "0") : digit - UInt8(ascii: "a") + 10
    }

    /// The fan-out folder: the first two hex digits, so no folder holds more than 1/256 of the store.
    var folder: String { String(sha256.prefix(2)) }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
