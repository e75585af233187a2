import Foundation

extension ArtifactStore {
    /// Stores the file `write` writes to `name` in a scratch folder: writers that choose their
    /// format by the name (a `.nii.gz` is gzipped) write there, and the store only ever holds the
    /// complete file.
    public func put(writtenAs name: String, by write: (URL) throws -> Void) throws -> ArtifactID {
        try Self.inScratchFolder { folder in
            let file = folder.appendingPathComponent(name)
            try write(file)
            return try put(contentsOf: file)
        }
    }

    /// Runs `body` on a link named `name` to the artifact file `file`: artifacts are named by their
    /// hash alone, and some readers go by a name's extension (libnifti tells a gzip stream by `.gz`).
    public static func withName<Value>(_ name: String, for file: URL, _ body: (URL) throws -> Value) throws -> Value {
        try inScratchFolder { folder in
            let link = folder.appendingPathComponent(name)
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
            return try body(link)
        }
    }

    private static func inScratchFolder<Value>(_ body: (URL) throws -> Value) throws -> Value {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("activeseg-artifact-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }
}
