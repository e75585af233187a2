import Bus
import Foundation

extension ArtifactStore {
    /// Opens a store whose artifacts live in the NATS object-store bucket `bucket`, each the object
    /// named by its hex SHA-256, with `cache` as this process's local folder of recently used
    /// artifacts, kept under `cacheLimit` bytes by evicting the least recently used.
    ///
    /// Puts stream the bytes to the bucket in chunks (a file is never read whole into memory);
    /// `path(for:)` and `get` download a missing artifact into the cache, checking its SHA-256 as
    /// it is written, so corrupted bytes never reach the cache.
    public init(bucket: ObjectBucket, cache: URL, cacheLimit: Int64) throws(ArtifactError) {
        try self.init(
            root: cache,
            objects: ObjectStoreBackend(
                bucket: bucket, cache: ArtifactCache(root: cache.standardizedFileURL, limit: cacheLimit)))
    }

    /// What `cached` did.
    enum CacheOutcome {
        /// The artifact was in the cache; it is now the most recently used.
        case found
        /// The artifact was downloaded into the cache and verified while written.
        case downloaded
    }

    /// Makes sure the artifact is in the cache, downloading it when missing.
    func cached(_ id: ArtifactID) throws(ArtifactError) -> CacheOutcome {
        guard let objects else { return .found }
        let url = fileURL(for: id)
        if FileManager.default.fileExists(atPath: url.path) {
            objects.cache.touch(url)
            return .found
        }
        let info: ObjectInfo
        do {
            guard let found = try objects.bucket.info(id.sha256) else {
                throw ArtifactError(
                    code: .notFound, id: id, path: objects.bucket.metaSubject(id.sha256),
                    detail: "no such artifact in bucket '\(objects.bucket.name)'")
            }
            info = found
        } catch {
            throw ObjectStoreBackend.artifactError(error, id: id)
        }
        var file = try TemporaryArtifactFile(in: root)
        do {
            try objects.bucket.read(info) { chunk in try file.write(chunk) }
        } catch {
            throw ObjectStoreBackend.artifactError(error, id: id)
        }
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ArtifactError(code: .io, id: id, path: folder.path, detail: "cannot create folder: \(error)")
        }
        _ = try commit(&file, expected: id)
        objects.cache.evict(keeping: url)
        return .downloaded
    }
}

/// The bucket of an object-store-backed `ArtifactStore` and its local cache.
struct ObjectStoreBackend: Sendable {
    let bucket: ObjectBucket
    let cache: ArtifactCache

    /// Stores `data`, one chunk at a time.
    func upload(_ data: Data) throws(ArtifactError) -> ArtifactID {
        var offset = data.startIndex
        return try upload(named: "memory") { maxBytes in
            guard offset < data.endIndex else { return nil }
            let end = min(offset + maxBytes, data.endIndex)
            defer { offset = end }
            return data[offset..<end]
        }
    }

    /// Stores the file at `source`, read one chunk at a time.
    func upload(contentsOf source: URL) throws(ArtifactError) -> ArtifactID {
        let input: FileHandle
        do {
            input = try FileHandle(forReadingFrom: source)
        } catch {
            throw ArtifactError(code: .io, path: source.path, detail: "cannot open: \(error)")
        }
        defer { try? input.close() }
        return try upload(named: source.path) { maxBytes in
            do {
                guard let chunk = try input.read(upToCount: maxBytes), !chunk.isEmpty else { return nil }
                return chunk
            } catch {
                throw ArtifactError(code: .io, path: source.path, detail: "read failed: \(error)")
            }
        }
    }

    /// Streams the bytes `next` yields to the bucket, hashing them as they pass, and names the
    /// object by the hash; `source` names them in errors.
    private func upload(named source: String, _ next: (Int) throws -> Data?) throws(ArtifactError) -> ArtifactID {
        let hasher = RunningHash()
        do {
            let info = try bucket.put(
                reading: { maxBytes in
                    let chunk = try next(maxBytes)
                    if let chunk { hasher.update(chunk) }
                    return chunk
                },
                naming: {
                    let id = hasher.finish()
                    return (id.sha256, id.digest)
                })
            guard let id = ArtifactID(sha256: info.name) else {
                throw ArtifactError(code: .corrupted, path: source, detail: "the bucket named it '\(info.name)'")
            }
            return id
        } catch let error as ArtifactError {
            throw error
        } catch {
            throw Self.artifactError(error, id: nil, path: source)
        }
    }

    /// Whether the bucket holds the artifact; false also when the bucket cannot be asked.
    func contains(_ id: ArtifactID) -> Bool {
        (try? bucket.info(id.sha256)) != nil
    }

    /// A bus failure as the store reports it: chunks that do not add up are a corrupted
    /// artifact, everything else an unavailable store.
    static func artifactError(_ error: any Error, id: ArtifactID?, path: String? = nil) -> ArtifactError {
        if let error = error as? ArtifactError { return error }
        guard let error = error as? BusError else {
            return ArtifactError(code: .io, id: id, path: path ?? "", detail: "\(error)")
        }
        return ArtifactError(
            code: error.code == .malformedMessage ? .corrupted : .unavailable, id: id, path: path ?? error.subject,
            detail: "\(error)")
    }
}

/// A SHA-256 fed by the chunks of an upload from inside the bucket's closures.
private final class RunningHash {
    private var hasher = SHA256Hasher()

    func update(_ data: Data) { hasher.update(data) }

    func finish() -> ArtifactID { ArtifactID(hashed: &hasher) }
}
