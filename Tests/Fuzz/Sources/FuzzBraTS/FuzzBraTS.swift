import Foundation
import FuzzSupport
import Volume

/// BraTS folder discovery: the bytes describe a dataset root, one entry per line, which the harness
/// makes before every run (at most `maximumEntries`, each name at most 255 bytes):
/// - `name/` a folder, `name` an empty file (intermediate folders made as needed);
/// - `@name=target` a symbolic link to `target`, which may point anywhere: out of the root, at a
///   file, at itself.
/// Names that would leave the root (absolute, or with `..`) are skipped, so the harness writes only
/// inside it; links may still lead out, as a hostile upload's would. A refusal is a `VolumeError`
/// for the root or a failed discovery of one case.
let scratch = ScratchFolder("brats")
let maximumEntries = 64

func entries(_ text: String) -> [(name: String, link: String?)] {
    text.split(separator: "\n", omittingEmptySubsequences: true).prefix(maximumEntries).compactMap { line in
        var entry = String(line)
        var link: String?
        if entry.hasPrefix("@"), let equals = entry.firstIndex(of: "=") {
            link = String(entry[entry.index(after: equals)...])
            entry = String(entry[entry.index(after: entry.startIndex)..<equals])
        }
        let parts = entry.split(separator: "/")
        guard !entry.isEmpty, !entry.hasPrefix("/"), entry.utf8.count <= 255, !parts.contains("..") else { return nil }
        return (entry, link)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzBraTS(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let root = scratch.url.appendingPathComponent("root", isDirectory: true)
    let files = FileManager.default
    try? files.removeItem(at: root)
    try? files.createDirectory(at: root, withIntermediateDirectories: true)
    for (name, link) in entries(String(decoding: Fuzz.bytes(data, size), as: UTF8.self)) {
        let url = root.appendingPathComponent(name)
        try? files.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let link {
            try? files.createSymbolicLink(atPath: url.path, withDestinationPath: link)
        } else if name.hasSuffix("/") {
            try? files.createDirectory(at: url, withIntermediateDirectories: true)
        } else {
            files.createFile(atPath: url.path, contents: Data())
        }
    }
    _ = try? BraTSDataset.discover(root: root)
    return 0
}

@main enum FuzzBraTSMain {
    static func main() { Fuzz.main(fuzzBraTS) }
}
