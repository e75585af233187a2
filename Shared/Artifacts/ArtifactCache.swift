import Foundation

/// The local folder of an object-store-backed `ArtifactStore`: the artifacts this process read or
/// wrote recently, laid out as the folder store's (`<root>/<aa>/<sha256>`), kept under a size limit by
/// removing the least recently used files first.
///
/// A file's modification time is its last use: a read touches it, and eviction goes by it, so
/// several processes on one host may share the folder. Files are only ever replaced by rename,
/// and a reader that has opened one keeps its bytes when it is evicted (POSIX unlink); a path is
/// valid until the cache next fills up, so the limit should hold several of the largest artifacts.
struct ArtifactCache: Sendable {
    let root: URL
    /// Bytes of cached files kept at most, except that the file just added stays even when it
    /// alone is larger.
    let limit: Int64

    /// Makes `url` the most recently used file.
    func touch(_ url: URL) {
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: url.path)
    }

    /// Removes the least recently used files until the cache holds at most `limit` bytes, keeping
    /// `kept` (the file just added).
    func evict(keeping kept: URL) {
        var files = cachedFiles()
        var total = files.reduce(0) { $0 + $1.size }
        guard total > limit else { return }
        files.sort { $0.lastUse < $1.lastUse }
        for file in files where total > limit && file.url.path != kept.path {
            if (try? FileManager.default.removeItem(at: file.url)) != nil { total -= file.size }
        }
    }

    /// Every cached artifact: files named by 64 hex digits in the two-digit folders (temporary
    /// files of writes in progress lie in the root and are not counted).
    private func cachedFiles() -> [(url: URL, size: Int64, lastUse: Date)] {
        let manager = FileManager.default
        guard let folders = try? manager.contentsOfDirectory(atPath: root.path) else { return [] }
        var files: [(url: URL, size: Int64, lastUse: Date)] = []
        for folder in folders where folder.count == 2 {
            let folderURL = root.appendingPathComponent(folder, isDirectory: true)
            for name in (try? manager.contentsOfDirectory(atPath: folderURL.path)) ?? []
            where ArtifactID(sha256: name) != nil {
                let url = folderURL.appendingPathComponent(name)
                guard let attributes = try? manager.attributesOfItem(atPath: url.path),
                    let size = (attributes[.size] as? NSNumber)?.int64Value,
                    let lastUse = attributes[.modificationDate] as? Date
                else { continue }
                files.append((url, size, lastUse))
            }
        }
        return files
    }
}
