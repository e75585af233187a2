/// An artifact-store failure, naming the artifact and the file involved.
public struct ArtifactError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case notFound, corrupted, io, unavailable }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No artifact with this id is stored.
        public static let notFound = Code(.notFound)
        /// The stored bytes no longer hash to the artifact's id (disk corruption, a partial copy,
        /// a tampered file); the bytes are not returned.
        public static let corrupted = Code(.corrupted)
        /// The file system refused an operation.
        public static let io = Code(.io)
        /// The object store (NATS) could not be reached, or refused or timed out an operation.
        public static let unavailable = Code(.unavailable)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The artifact concerned, when known.
    public var id: ArtifactID?
    /// The file concerned (with the object-store backend: the local file, or the bucket's subject).
    public var path: String
    public var detail: String

    public init(code: Code, id: ArtifactID? = nil, path: String, detail: String) {
        self.code = code
        self.id = id
        self.path = path
        self.detail = detail
    }

    public var description: String {
        "\(code): \(path): \(detail)" + (id.map { " (artifact \($0))" } ?? "")
    }
}
