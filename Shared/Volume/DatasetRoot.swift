import Foundation

/// A dataset folder that every path of the dataset must stay inside.
///
/// Datasets come from outside (uploads, shared drives, manifests written by hand); a path with `..`
/// or a symbolic link could otherwise make ingest read any file on the machine.
public struct DatasetRoot: Sendable {
    /// The root with symbolic links resolved.
    public let url: URL

    public init(_ url: URL) throws(VolumeError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw VolumeError(.missingFile, file: url.path, detail: "the dataset folder does not exist")
        }
        self.url = url.standardizedFileURL.resolvingSymlinksInPath()
    }

    /// A path of the dataset (relative to the root, or absolute) as a file inside the root.
    public func resolve(_ path: String, caseID: String? = nil) throws(VolumeError) -> URL {
        let candidate = path.hasPrefix("/") ? URL(fileURLWithPath: path) : url.appendingPathComponent(path)
        return try checked(candidate, caseID: caseID, shown: path)
    }

    /// `candidate` after checking that neither `..` nor a symbolic link takes it out of the root.
    public func checked(_ candidate: URL, caseID: String? = nil, shown: String? = nil) throws(VolumeError) -> URL {
        let lexical = candidate.standardizedFileURL
        guard contains(lexical) else {
            throw VolumeError(
                .pathOutsideRoot, caseID: caseID, file: shown ?? candidate.path,
                detail: "the path leaves the dataset folder \(url.path)")
        }
        let resolved = lexical.resolvingSymlinksInPath()
        guard contains(resolved) else {
            throw VolumeError(
                .pathOutsideRoot, caseID: caseID, file: shown ?? candidate.path,
                detail: "a symbolic link leads to \(resolved.path), outside the dataset folder \(url.path)")
        }
        return resolved
    }

    private func contains(_ candidate: URL) -> Bool {
        let root = url.path.hasSuffix("/") ? url.path : url.path + "/"
        return candidate.path == url.path || candidate.path.hasPrefix(root)
    }

    /// The entries of a folder inside the root, sorted by name, hidden files skipped.
    func entries(of folder: URL) throws(VolumeError) -> [URL] {
        do {
            return try FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: nil,
                options: [.skipsHiddenFiles]
            )
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        } catch {
            throw VolumeError(
                .invalidDataset, file: folder.path, detail: "cannot list the folder: \(error.localizedDescription)")
        }
    }
}

/// A file name without its .nii or .nii.gz ending, or nil for other files.
func niftiStem(_ url: URL) -> String? {
    let name = url.lastPathComponent
    if name.hasSuffix(".nii.gz") { return String(name.dropLast(7)) }
    if name.hasSuffix(".nii") { return String(name.dropLast(4)) }
    return nil
}
