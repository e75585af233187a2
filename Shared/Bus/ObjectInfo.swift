import Foundation

/// The description of one object in a NATS object-store bucket: the JSON body of its meta message
/// (`$O.<bucket>.M.<base64url(name)>`), with the field names and digest format the NATS clients
/// write and read (ADR-20), so an object put by one client can be read by any other.
///
/// Fields the clients may add that ActiveSeg does not use (`description`, `headers`, links) are
/// ignored when decoding.
public struct ObjectInfo: Sendable, Hashable, Codable {
    /// The object's name in its bucket (ActiveSeg: the artifact's hex SHA-256).
    public var name: String
    public var bucket: String
    /// The unique token of the chunk subject, `$O.<bucket>.C.<nuid>`, new for every put.
    public var nuid: String
    /// Bytes in all chunks together.
    public var size: UInt64
    /// When the object was put, as RFC 3339 text (the clients disagree on its fraction digits
    /// and zone spelling, so it is kept as written).
    public var mtime: String
    public var chunks: UInt32
    /// `SHA-256=` and the base64url (padded) digest of the bytes; absent on a deleted object.
    public var digest: String?
    /// A deletion marker: the object is gone, its chunks purged.
    public var deleted: Bool
    public var options: Options?

    public struct Options: Sendable, Hashable, Codable {
        /// The chunk size the writer used (the clients' default is 128 KiB).
        public var maxChunkSize: UInt32?

        public init(maxChunkSize: UInt32?) { self.maxChunkSize = maxChunkSize }

        private enum CodingKeys: String, CodingKey { case maxChunkSize = "max_chunk_size" }
    }

    public init(
        name: String, bucket: String, nuid: String, size: UInt64, mtime: String, chunks: UInt32,
        digest: String?, deleted: Bool = false, options: Options? = nil
    ) {
        self.name = name
        self.bucket = bucket
        self.nuid = nuid
        self.size = size
        self.mtime = mtime
        self.chunks = chunks
        self.digest = digest
        self.deleted = deleted
        self.options = options
    }

    /// The `digest` field for a SHA-256 of `bytes`.
    public static func digest(sha256 bytes: Data) -> String {
        "SHA-256=" + base64URL(bytes)
    }

    /// The SHA-256 that `digest` names; nil when it names none (the Go client writes the algorithm
    /// in upper case, and a reader accepts either case).
    public var sha256: Data? {
        guard let digest, digest.count > 8, digest.prefix(8).uppercased() == "SHA-256=" else { return nil }
        var text = digest.dropFirst(8).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: text)
    }

    /// RFC 4648 base64url with padding, as the clients encode object names and digests.
    public static func base64URL(_ bytes: Data) -> String {
        bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    private enum CodingKeys: String, CodingKey {
        case name, bucket, nuid, size, mtime, chunks, digest, deleted, options
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        bucket = try container.decode(String.self, forKey: .bucket)
        nuid = try container.decodeIfPresent(String.self, forKey: .nuid) ?? ""
        size = try container.decodeIfPresent(UInt64.self, forKey: .size) ?? 0
        mtime = try container.decodeIfPresent(String.self, forKey: .mtime) ?? ""
        chunks = try container.decodeIfPresent(UInt32.self, forKey: .chunks) ?? 0
        digest = try container.decodeIfPresent(String.self, forKey: .digest)
        deleted = try container.decodeIfPresent(Bool.self, forKey: .deleted) ?? false
        options = try container.decodeIfPresent(Options.self, forKey: .options)
    }

    /// Leaves out `deleted` when false and `digest` when absent, as the Go client does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(bucket, forKey: .bucket)
        try container.encode(nuid, forKey: .nuid)
        try container.encode(size, forKey: .size)
        try container.encode(mtime, forKey: .mtime)
        try container.encode(chunks, forKey: .chunks)
        try container.encodeIfPresent(digest, forKey: .digest)
        if deleted { try container.encode(deleted, forKey: .deleted) }
        try container.encodeIfPresent(options, forKey: .options)
    }
}
