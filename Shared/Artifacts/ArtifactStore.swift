import Bus
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A content-addressed file store: every artifact is the file `<root>/<aa>/<sha256>`, named by the
/// SHA-256 of its bytes (`aa`: the first two hex digits).
///
/// Two backends share this API: the folder alone (`init(root:)`, a shared volume in compose), or
/// a NATS object-store bucket with the folder as this process's bounded cache
/// (`init(bucket:cache:cacheLimit:)`, see `ArtifactStore+ObjectStore.swift`), so workers on other
/// hosts need only NATS.
///
/// Writes go to a temporary file in the root, are flushed to disk, then renamed into place, so a
/// reader (another service, on a shared volume) sees either no file or the whole file, never a
/// partial one; the rename also makes `put` idempotent and repairs a corrupted copy. Reads verify
/// the checksum, so corrupted bytes are reported, never returned.
///
/// Temporary files are named `.tmp-<uuid>` in the root; one older than any running write was left by
/// a process that died mid-write and may be deleted.
///
/// Configuration: `ServiceConfiguration.artifactStore()` opens the store its keys name
/// (`ACTIVESEG_ARTIFACT_BACKEND`, `ACTIVESEG_ARTIFACT_ROOT`, the bucket and cache); the folder is
/// created when missing.
public struct ArtifactStore: Sendable {
    /// The folder holding the store, or with an object store, its local cache.
    public let root: URL
    /// The object store that holds the artifacts; nil when the folder is the store.
    let objects: ObjectStoreBackend?

    static let chunkSize = 1 << 20

    /// Opens (creating when missing) the store rooted at `root`.
    public init(root: URL) throws(ArtifactError) {
        try self.init(root: root, objects: nil)
    }

    init(root: URL, objects: ObjectStoreBackend?) throws(ArtifactError) {
        self.root = root.standardizedFileURL
        self.objects = objects
        do {
            try FileManager.default.createDirectory(at: self.root, withIntermediateDirectories: true)
        } catch {
            throw ArtifactError(code: .io, path: self.root.path, detail: "cannot create the store root: \(error)")
        }
    }

    // MARK: - Writing

    /// Stores `data`; returns its id. Storing the same bytes again leaves one file.
    @discardableResult
    public func put(_ data: Data) throws(ArtifactError) -> ArtifactID {
        if objects != nil { return try upload(data) }
        var file = try TemporaryArtifactFile(in: root)
        try file.write(data)
        return try commit(&file)
    }

    /// The file at `source`, opened to be read in chunks.
    static func openForReading(_ source: URL) throws(ArtifactError) -> FileHandle {
        do {
            return try FileHandle(forReadingFrom: source)
        } catch {
            throw ArtifactError(code: .io, path: source.path, detail: "cannot open: \(error)")
        }
    }

    /// Stores the bytes of the file at `source`, read in chunks (volumes and checkpoints need not
    /// fit in memory twice).
    @discardableResult
    public func put(contentsOf source: URL) throws(ArtifactError) -> ArtifactID {
        if objects != nil { return try upload(contentsOf: source) }
        let input = try Self.openForReading(source)
        defer { try? input.close() }
        var file = try TemporaryArtifactFile(in: root)
        while let chunk = try Self.read(input, path: source.path) {
            try file.write(chunk)
        }
        return try commit(&file)
    }

    /// Stores the concatenated chunks of a stream (bytes produced or received piece by piece). A
    /// stream that fails leaves nothing behind. With an object store the stream is spooled to a
    /// temporary file first (no task waits on the bucket), then uploaded from it.
    @discardableResult
    public func put<Chunks: AsyncSequence>(_ chunks: Chunks) async throws -> ArtifactID where Chunks.Element == Data {
        var file = try TemporaryArtifactFile(in: root)
        for try await chunk in chunks {
            try file.write(chunk)
        }
        if objects != nil { return try upload(contentsOf: file.path) }
        return try commit(&file)
    }

    /// Moves `file` to its place; with `expected`, only if its bytes hash to that id.
    func commit(_ file: inout TemporaryArtifactFile, expected: ArtifactID? = nil) throws(ArtifactError) -> ArtifactID {
        let id = try file.flush()
        if let expected { try Self.check(id, against: expected, path: fileURL(for: expected).path) }
        try place(&file, as: id)
        return id
    }

    /// Moves the flushed `file`, whose bytes hash to `id`, to its place.
    func place(_ file: inout TemporaryArtifactFile, as id: ArtifactID) throws(ArtifactError) {
        let folder = root.appendingPathComponent(id.folder, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ArtifactError(code: .io, id: id, path: folder.path, detail: "cannot create folder: \(error)")
        }
        try file.move(to: fileURL(for: id), id: id)
        try Self.syncFolder(folder, id: id)
    }

    // MARK: - Reading

    /// Whether an artifact is stored (without reading it). With an object store: in the cache, or
    /// in the bucket (false too when the bucket cannot be asked).
    public func exists(_ id: ArtifactID) -> Bool {
        FileManager.default.fileExists(atPath: fileURL(for: id).path) || (objects?.contains(id) ?? false)
    }

    /// The artifact's bytes, after checking they hash to `id`.
    ///
    /// With an object store the artifact is downloaded into the cache when missing there; a cached
    /// copy that no longer hashes to `id` is replaced by a new download.
    public func get(_ id: ArtifactID) throws(ArtifactError) -> Data {
        try readingCache(id) { () throws(ArtifactError) in
            let url = fileURL(for: id)
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw missingOrUnreadable(id, url: url, error: error)
            }
            try Self.check(ArtifactID(hashing: data), against: id, path: url.path)
            return data
        }
    }

    /// The path of a stored artifact, for libraries that open files themselves (NIfTI readers,
    /// safetensors loaders). With `verify`, the file is hashed first (reading it once more); without,
    /// only its existence is checked, for callers that verify by other means.
    ///
    /// With an object store the artifact is downloaded into the cache when missing there (and
    /// verified as it is written), and the cached file's path returned; a cached copy that `verify`
    /// finds corrupted is replaced by a new download.
    public func path(for id: ArtifactID, verify: Bool = true) throws(ArtifactError) -> URL {
        let url = fileURL(for: id)
        guard verify else {
            if objects != nil { _ = try cached(id) }
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ArtifactError(code: .notFound, id: id, path: url.path, detail: "no such artifact")
            }
            return url
        }
        if objects != nil, try cached(id) == .downloaded { return url }
        return try readingCache(id) { () throws(ArtifactError) in
            let input: FileHandle
            do {
                input = try FileHandle(forReadingFrom: url)
            } catch {
                throw missingOrUnreadable(id, url: url, error: error)
            }
            defer { try? input.close() }
            var hasher = SHA256Hasher()
            while let chunk = try Self.read(input, path: url.path) {
                hasher.update(chunk)
            }
            try Self.check(ArtifactID(hashed: &hasher), against: id, path: url.path)
            return url
        }
    }

    /// Runs `read`, which verifies the local file of `id`. With an object store the file is
    /// downloaded first when missing (and then verified already), and a cached file that `read`
    /// finds corrupted is removed and downloaded again: the cache is a copy, the bucket the store.
    private func readingCache<Value>(
        _ id: ArtifactID, _ read: () throws(ArtifactError) -> Value
    ) throws(ArtifactError) -> Value {
        guard objects != nil else { return try read() }
        if try cached(id) == .downloaded { return try read() }
        do {
            return try read()
        } catch  where error.code == .corrupted {
            try? FileManager.default.removeItem(at: fileURL(for: id))
            _ = try cached(id)
            return try read()
        }
    }

    func fileURL(for id: ArtifactID) -> URL {
        root.appendingPathComponent(id.folder, isDirectory: true).appendingPathComponent(id.sha256)
    }

    private func missingOrUnreadable(_ id: ArtifactID, url: URL, error: any Error) -> ArtifactError {
        FileManager.default.fileExists(atPath: url.path)
            ? ArtifactError(code: .io, id: id, path: url.path, detail: "cannot read: \(error)")
            : ArtifactError(code: .notFound, id: id, path: url.path, detail: "no such artifact")
    }

    static func check(_ actual: ArtifactID, against expected: ArtifactID, path: String) throws(ArtifactError) {
        guard actual == expected else {
            throw ArtifactError(
                code: .corrupted, id: expected, path: path, detail: "the file's sha256 is \(actual.sha256)")
        }
    }

    static func read(_ input: FileHandle, upTo count: Int = chunkSize, path: String) throws(ArtifactError) -> Data? {
        do {
            guard let chunk = try input.read(upToCount: count), !chunk.isEmpty else { return nil }
            return chunk
        } catch {
            throw ArtifactError(code: .io, path: path, detail: "read failed: \(error)")
        }
    }

    /// Flushes a folder's entry list, so a rename into it survives a crash.
    private static func syncFolder(_ folder: URL, id: ArtifactID) throws(ArtifactError) {
        let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else {
            throw ArtifactError(code: .io, id: id, path: folder.path, detail: "open failed: \(systemErrorText())")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw ArtifactError(code: .io, id: id, path: folder.path, detail: "fsync failed: \(systemErrorText())")
        }
    }
}
