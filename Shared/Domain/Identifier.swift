import Foundation

/// An id of one kind of thing (an experiment, a case, a model, a job, a dataset), wrapping its UUID.
///
/// Each kind is a type of its own, so a case id cannot be passed where a model id is meant; the
/// compiler refuses it instead of a query that finds nothing. All kinds share one wire form, the
/// lowercase UUID string that protobuf messages, job keys, log metadata and JSON carry, defined here
/// once so that no copy of it can drift from another.
public protocol Identifier: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    var uuid: UUID { get }
    init(_ uuid: UUID)
}

extension Identifier {
    /// A new, random id.
    public static func random() -> Self { Self(UUID()) }

    /// The id a wire form names; nil when the text is no UUID. Either case of hex digits is read.
    public init?(wireForm: String) {
        guard let uuid = UUID(uuidString: wireForm) else { return nil }
        self.init(uuid)
    }

    /// The lowercase UUID string, e.g. `0f8fad5b-d9cb-469f-a165-70867728950e`.
    public var wireForm: String { uuid.uuidString.lowercased() }

    public var description: String { wireForm }

    /// By wire form, the order PostgreSQL's `uuid` type sorts in.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.wireForm < rhs.wireForm }

    /// Decodes the wire form; any other value is corrupt data.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = Self(wireForm: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a UUID: \(text)")
        }
        self = id
    }

    /// Encodes the wire form, a single string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wireForm)
    }
}
