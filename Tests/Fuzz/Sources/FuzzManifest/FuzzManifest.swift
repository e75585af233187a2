import Foundation
import FuzzSupport
import Volume

/// The CSV manifest reader: the bytes are `manifest.csv` at a dataset root that holds a few case
/// files, so that paths which resolve inside the root, outside it and through a symbolic link out of
/// it are all reachable. A refusal is a `VolumeError` (for the whole manifest or one row).
let scratch: ScratchFolder = {
    let folder = ScratchFolder("manifest")
    for name in ["case1/t1c.nii.gz", "case1/t2.nii.gz", "case1/seg.nii.gz", "case2/t1c.nii"] {
        folder.write(Data(), to: "root/\(name)")
    }
    folder.write(Data(), to: "outside.nii.gz")
    try? FileManager.default.createSymbolicLink(
        atPath: folder.url.appendingPathComponent("root/escape").path,
        withDestinationPath: folder.url.path)
    return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzManifest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let manifest = scratch.write(Fuzz.bytes(data, size), to: "root/manifest.csv")
    _ = try? ManifestDataset.discover(manifest: manifest, root: manifest.deletingLastPathComponent())
    return 0
}

@main enum FuzzManifestMain {
    static func main() { Fuzz.main(fuzzManifest) }
}
