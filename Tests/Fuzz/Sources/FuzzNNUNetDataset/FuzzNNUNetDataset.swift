import Foundation
import FuzzSupport
import Volume

/// The nnU-Net `dataset.json` reader: the bytes are `dataset.json` of a raw dataset folder whose
/// `imagesTr`, `labelsTr` and `imagesTs` hold a few (empty) case files, so that discovery goes on
/// past the description to the channels and labels it names. A refusal is a `VolumeError`.
let scratch: ScratchFolder = {
    let folder = ScratchFolder("nnunet")
    for name in [
        "imagesTr/BRATS_001_0000.nii.gz", "imagesTr/BRATS_001_0001.nii.gz", "imagesTr/BRATS_001_0002.nii.gz",
        "imagesTr/BRATS_001_0003.nii.gz", "labelsTr/BRATS_001.nii.gz",
        "imagesTr/BRATS_002_0000.nii", "imagesTr/BRATS_002_0003.nii", "labelsTr/BRATS_002.nii",
        "imagesTs/BRATS_101_0000.nii.gz", "imagesTs/BRATS_101_0003.nii.gz",
    ] {
        folder.write(Data(), to: "root/\(name)")
    }
    return folder
}()

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzNNUNetDataset(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let description = scratch.write(Fuzz.bytes(data, size), to: "root/dataset.json")
    let root = description.deletingLastPathComponent()
    _ = try? NNUNetDataset.discover(root: root)
    _ = try? NNUNetDataset.discover(root: root, includeTest: false, foregroundValues: [3])
    return 0
}

@main enum FuzzNNUNetDatasetMain {
    static func main() { Fuzz.main(fuzzNNUNetDataset) }
}
