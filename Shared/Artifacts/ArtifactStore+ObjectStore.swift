import Bus
import Foundation

extension ArtifactStore {
    /// Opens a store whose artifacts live in the NATS object-store bucket `bucket`, each the object
    /// named by its hex SHA-256, with `cache` as this process's local folder of recently used
    /// artifacts, kept under `cacheLimit` bytes by evicting the least recently used.
    ///
    /// Puts stream the bytes to the bucket in chunks (a file is never read whole into memory),
    /// writing them into the cache on the way; `path(for:)` and `get` download a missing artifact
    /// into the cache, checking its SHA-256 as it is written, so corrupted bytes never reach it.
    public init(bucket: ObjectBucket, cache: URL, cacheLimit: Int64) throws(ArtifactError) {
        try self.init(
            root: cache,
            objects: ObjectStoreBackend(
                bucket: bucket, cache: ArtifactCache(root: cache.standardizedFileURL, limit: cacheLimit)))
    }

    /// Stores `data` in the bucket, one chunk at a time.
    func upload(_ data: Data) throws(ArtifactError) -> ArtifactID {
        var offset = data.startIndex
        return try upload(named: "memory") { maxBytes in
            guard offset < data.endIndex else { return nil }
            let end = min(offset + maxBytes, data.endIndex)
            defer { offset = end }
            return data[offset..<end]
        }
    }

    /// Stores the file at `source` in the bucket, read one chunk at a time.
    func upload(contentsOf source: URL) throws(ArtifactError) -> ArtifactID {
        let input = try Self.openForReading(source)
        defer { try? input.close() }
        return try upload(named: source.path) { maxBytes in try Self.read(input, upTo: maxBytes, path: source.path) }
    }

    /// Streams the bytes `next` yields to the bucket and, in the same pass, into the cache (the
    /// writer, or a reader on its host, usually opens what it just stored), naming the object by
    /// their hash; `source` names the bytes in errors.
    private func upload(named source: String, _ next: (Int) throws -> Data?) throws(ArtifactError) -> ArtifactID {
        guard let objects else { preconditionFailure("an upload needs an object store") }
        var file = try TemporaryArtifactFile(in: root)
        let id: ArtifactID
        do {
            let info = try objects.bucket.put(
                reading: { maxBytes in
                    let chunk = try next(maxBytes)
                    if let chunk { try file.write(chunk) }
                    return chunk
                },
                naming: {
                    let id = try file.flush()
                    return (id.sha256, id.digest)
                })
            guard let named = ArtifactID(sha256: info.name) else {
                throw ArtifactError(code: .corrupted, path: source, detail: "the bucket named it '\(info.name)'")
            }
            id = named
        } catch {
            throw ObjectStoreBackend.artifactError(error, id: nil, path: source)
        }
        try place(&file, as: id)
        objects.cache.evict(keeping: fileURL(for: id))
        return id
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
