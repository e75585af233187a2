import Foundation
import TestSupport
import Testing

@testable import Volume

@Suite struct NIfTIRoundTripTests {
    static let obliqueAffine = Affine(rows: [
        [0.9, -0.2, 0.1, -30], [0.15, 1.1, -0.05, 12.5],
        [-0.1, 0.1, 1.4, 7.25], [0, 0, 0, 1],
    ])

    static var cases: [(NIfTIDatatype, NIfTIVersion, String)] {
        NIfTIDatatype.allCases.flatMap { datatype in
            NIfTIVersion.allCases.flatMap { version in [".nii", ".nii.gz"].map { (datatype, version, $0) } }
        }
    }

    @Test("each datatype survives a write and read in both formats and both versions", arguments: cases)
    func roundTrip(datatype: NIfTIDatatype, version: NIfTIVersion, suffix: String) throws {
        let folder = try TemporaryFolder()
        let shape = GridShape(7, 5, 3)
        // Values inside every integer type's range, including negatives for the signed ones.
        let signed: Set<NIfTIDatatype> = [.int8, .int16, .int32, .float32, .float64]
        var volume = indexVolume(shape, affine: Self.obliqueAffine)
        volume.voxels = (0..<shape.count).map { Float($0 % 97) - (signed.contains(datatype) ? 40 : 0) }
        if datatype == .float32 || datatype == .float64 { volume.voxels[3] = 0.123456789 }
        let url = folder.file("image\(suffix)")
        try NIfTI.write(volume, to: url, datatype: datatype, version: version)
        let back = try NIfTI.readImage(at: url)
        #expect(back.shape == shape)
        #expect(back.voxels == volume.voxels)
        #expect(maxDifference(back.affine, volume.affine) < 1e-5)
        let header = try NIfTI.readHeader(at: url, caseID: nil)
        #expect(header.version == Int(version.rawValue))
        #expect(header.datatype == datatype.rawValue)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(leftovers == ["image\(suffix)"], "the temporary file is renamed into place")
    }

    @Test func slopeAndInterceptAreStoredAndApplied() throws {
        let folder = try TemporaryFolder()
        var volume = indexVolume(GridShape(4, 4, 4))
        volume.voxels = volume.voxels.indices.map { Float($0) * 0.5 - 3 }
        let url = folder.file("scaled.nii.gz")
        try NIfTI.write(volume, to: url, datatype: .int16, slope: 0.5, intercept: -3)
        let back = try NIfTI.readImage(at: url, requireContent: false)
        #expect(back.voxels == volume.voxels)
    }

    @Test func labelsRoundTripAsUInt8() throws {
        let folder = try TemporaryFolder()
        let shape = GridShape(6, 5, 4)
        let labels = LabelVolume(
            shape: shape, affine: Self.obliqueAffine,
            voxels: (0..<shape.count).map { [0, 1, 2, 4][$0 % 4] })
        let url = folder.file("seg.nii.gz")
        try NIfTI.write(labels, to: url)
        let back = try NIfTI.readLabels(at: url, allowedValues: [0, 1, 2, 4])
        #expect(back.voxels == labels.voxels)
        #expect(try NIfTI.readHeader(at: url, caseID: nil).datatype == NIfTIDatatype.uint8.rawValue)
    }
}
