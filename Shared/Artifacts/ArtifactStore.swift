import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A content-addressed file store: every artifact is the file `<root>/<aa>/<sha256>`, named by the
/// SHA-256 of its bytes (`aa`: the first two hex digits).
///
/// Writes go to a temporary file in the root, are flushed to disk, then renamed into place, so a
/// reader (another service, on a shared volume) sees either no file or the whole file, never a
/// partial one; the rename also makes `put` idempotent and repairs a corrupted copy. Reads verify
/// the checksum, so corrupted bytes are reported, never returned.
///
/// Temporary files are named `.tmp-<uuid>` in the root; one older than any running write was left by
/// a process that died mid-write and may be deleted.
///
/// Configuration: `ACTIVESEG_ARTIFACT_ROOT` (required), the root folder; created when missing.
public struct ArtifactStore: Sendable {
    /// The folder holding the store.
    public let root: URL

    private static let chunkSize = 1 << 20

    /// Opens (creating when missing) the store rooted at `root`.
    public init(root: URL) throws(ArtifactError) {
        self.root = root.standardizedFileURL
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
        var file = try TemporaryArtifactFile(in: root)
        try file.write(data)
        return try commit(&file)
    }

    /// Stores the bytes of the file at `source`, read in chunks (volumes and checkpoints need not
    /// fit in memory twice).
    @discardableResult
    public func put(contentsOf source: URL) throws(ArtifactError) -> ArtifactID {
        let input: FileHandle
        do {
            input = try FileHandle(forReadingFrom: source)
        } catch {
            throw ArtifactError(code: .io, path: source.path, detail: "cannot open: \(error)")
        }
        defer { try? input.close() }
        var file = try TemporaryArtifactFile(in: root)
        while let chunk = try Self.read(input, path: source.path) {
            try file.write(chunk)
        }
        return try commit(&file)
    }

    /// Stores the concatenated chunks of a stream (bytes produced or received piece by piece). A
    /// stream that fails leaves nothing behind.
    @discardableResult
    public func put<Chunks: AsyncSequence>(_ chunks: Chunks) async throws -> ArtifactID where Chunks.Element == Data {
        var file = try TemporaryArtifactFile(in: root)
        for try await chunk in chunks {
            try file.write(chunk)
        }
        return try commit(&file)
    }

    private func commit(_ file: inout TemporaryArtifactFile) throws(ArtifactError) -> ArtifactID {
        let id = try file.flush()
        let folder = root.appendingPathComponent(id.folder, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ArtifactError(code: .io, id: id, path: folder.path, detail: "cannot create folder: \(error)")
        }
        try file.move(to: fileURL(for: id), id: id)
        try Self.syncFolder(folder, id: id)
        return id
    }

    // MARK: - Reading

    /// Whether an artifact is stored (without reading it).
    public func exists(_ id: ArtifactID) -> Bool {
        FileManager.default.fileExists(atPath: fileURL(for: id).path)
    }

    /// The artifact's bytes, after checking they hash to `id`.
    public func get(_ id: ArtifactID) throws(ArtifactError) -> Data {
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

    /// The path of a stored artifact, for libraries that open files themselves (NIfTI readers,
    /// safetensors loaders). With `verify`, the file is hashed first (reading it once more); without,
    /// only its existence is checked, for callers that verify by other means.
    public func path(for id: ArtifactID, verify: Bool = true) throws(ArtifactError) -> URL {
        let url = fileURL(for: id)
        guard verify else {
            guard exists(id) else {
                throw ArtifactError(code: .notFound, id: id, path: url.path, detail: "no such artifact")
            }
            return url
        }
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

    private func fileURL(for id: ArtifactID) -> URL {
        root.appendingPathComponent(id.folder, isDirectory: true).appendingPathComponent(id.sha256)
    }

    private func missingOrUnreadable(_ id: ArtifactID, url: URL, error: any Error) -> ArtifactError {
        exists(id)
            ? ArtifactError(code: .io, id: id, path: url.path, detail: "cannot read: \(error)")
            : ArtifactError(code: .notFound, id: id, path: url.path, detail: "no such artifact")
    }

    private static func check(_ actual: ArtifactID, against expected: ArtifactID, path: String) throws(ArtifactError) {
        guard actual == expected else {
            throw ArtifactError(
                code: .corrupted, id: expected, path: path, detail: "the file's sha256 is \(actual.sha256)")
        }
    }

    private static func read(_ input: FileHandle, path: String) throws(ArtifactError) -> Data? {
        do {
            guard let chunk = try input.read(upToCount: chunkSize), !chunk.isEmpty else { return nil }
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
