import Foundation

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// A file being written under a temporary name (`.tmp-<uuid>`) in the store's root — the same file
/// system as its final place, so moving it there is an atomic rename — hashing its bytes as they pass.
///
/// Unless it was moved into place, the file is removed when the value goes out of scope, so a
/// write that fails at any step (a full disk, a failing input stream, a cancelled task) leaves
/// nothing behind.
struct TemporaryArtifactFile: ~Copyable {
    private let url: URL
    private var descriptor: Int32
    private var hasher = SHA256Hasher()
    private var isMoved = false

    init(in root: URL) throws(ArtifactError) {
        url = root.appendingPathComponent(".tmp-" + UUID().uuidString)
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ArtifactError(code: .io, path: url.path, detail: "cannot create: \(systemErrorText())")
        }
    }

    /// Where the bytes are, for reading them back before the file is moved or removed.
    var path: URL { url }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !isMoved { unlink(url.path) }
    }

    mutating func write(_ data: Data) throws(ArtifactError) {
        hasher.update(data)
        let failure: String? = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return systemErrorText()
                }
                offset += written
            }
            return nil
        }
        if let failure {
            throw ArtifactError(code: .io, path: url.path, detail: "write failed: \(failure)")
        }
    }

    /// Forces the bytes to disk and closes the file; returns the id of what was written.
    mutating func flush() throws(ArtifactError) -> ArtifactID {
        defer {
            close(descriptor)
            descriptor = -1
        }
        guard fsync(descriptor) == 0 else {
            throw ArtifactError(code: .io, path: url.path, detail: "fsync failed: \(systemErrorText())")
        }
        return ArtifactID(hashed: &hasher)
    }

    /// Renames the file to `destination`. rename(2) replaces an existing file atomically: a second
    /// put of the same bytes leaves one file, and a corrupted copy is replaced by good bytes.
    mutating func move(to destination: URL, id: ArtifactID) throws(ArtifactError) {
        guard rename(url.path, destination.path) == 0 else {
            throw ArtifactError(
                code: .io, id: id, path: destination.path, detail: "rename failed: \(systemErrorText())")
        }
        isMoved = true
    }
}

/// The C library's text for the current `errno`.
func systemErrorText() -> String { String(cString: strerror(errno)) }
