import Foundation
import TestSupport
import Testing

@testable import Volume

@Suite struct NIfTIChannelsTests {
    @Test("channels on one grid travel as one 4D image and come back in order")
    func channelsRoundTrip() throws {
        let folder = try TemporaryFolder()
        let shape = GridShape(6, 4, 3)
        let affine = NIfTIRoundTripTests.obliqueAffine
        let t1c = indexVolume(shape, affine: affine)
        var t2 = t1c
        t2.voxels = t1c.voxels.map { 100 - $0 * 0.25 }
        let url = folder.file("image.nii.gz")

        try NIfTI.write(channels: [t1c, t2], to: url)

        let header = try NIfTI.readHeader(at: url, caseID: nil)
        #expect(header.dimensions == [6, 4, 3, 2])
        let back = try NIfTI.readChannels(at: url)
        #expect(back.map(\.voxels) == [t1c.voxels, t2.voxels])
        #expect(back.allSatisfy { $0.shape == shape && maxDifference($0.affine, affine) < 1e-5 })
        #expect { _ = try NIfTI.readImage(at: url) } throws: { ($0 as? VolumeError)?.code == .unsupportedDimensions }
    }

    @Test("a 3D image reads as one channel; channels on different grids are refused")
    func singleChannelAndMismatch() throws {
        let folder = try TemporaryFolder()
        let volume = indexVolume(GridShape(5, 5, 2))
        let url = folder.file("one.nii")
        try NIfTI.write(volume, to: url)
        #expect(try NIfTI.readChannels(at: url).map(\.voxels) == [volume.voxels])

        let other = indexVolume(GridShape(5, 5, 3))
        #expect(throws: VolumeError.self) { try NIfTI.write(channels: [volume, other], to: folder.file("two.nii")) }
    }
}
