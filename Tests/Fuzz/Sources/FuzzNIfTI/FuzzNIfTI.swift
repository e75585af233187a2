import Foundation
import FuzzSupport
import Volume

/// The NIfTI header and voxel reader: the bytes are a `.nii` file, read by every public entry point
/// with its defaults, and then the same bytes compressed as a `.nii.gz` (mutations of a deflate stream
/// seldom decompress to a header, so without this the compressed path, where the file's size bounds
/// nothing, would stay out of reach). A refusal is a `VolumeError`; a trap, a sanitizer report or an
/// allocation past libFuzzer's limit is a finding.
let scratch = ScratchFolder("nifti")

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzNIfTI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    for url in [scratch.write(bytes, to: "input.nii"), scratch.writeGzip(bytes, to: "input.nii.gz")] {
        _ = try? NIfTI.fileInfo(at: url)
        _ = try? NIfTI.readChannels(at: url)
        _ = try? NIfTI.readImage(at: url)
        _ = try? NIfTI.readLabels(at: url, allowedValues: [0, 1, 2, 4])
    }
    return 0
}

@main enum FuzzNIfTIMain {
    static func main() { Fuzz.main(fuzzNIfTI) }
}
