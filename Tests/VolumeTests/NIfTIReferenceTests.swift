import Foundation
import Testing

@testable import Volume

/// Files written by nibabel (scripts/vectors/volume_nifti.py) must read back with the affine and
/// scaled voxels nibabel reports.
@Suite struct NIfTIReferenceTests {
    struct Expected: Decodable {
        var shape: [Int]
        var affine: [[Double]]
        var voxels: [Double]
    }

    static let expected: [String: Expected] = {
        let data = try! vectorData("nifti/expected.json")
        return try! JSONDecoder().decode([String: Expected].self, from: data)
    }()

    @Test("reads as nibabel does", arguments: expected.keys.sorted())
    func readsAsNibabel(file: String) throws {
        let reference = Self.expected[file]!
        let volume = try NIfTI.readImage(at: vectorURL("nifti/\(file)"), requireContent: false)
        #expect([volume.shape.x, volume.shape.y, volume.shape.z] == Array(reference.shape.prefix(3)))
        #expect(maxDifference(volume.affine, Affine(rows: reference.affine)) < 1e-5)
        let difference = zip(volume.voxels, reference.voxels).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(difference < 1e-4)
    }

    @Test func sformWinsOverQform() throws {
        let both = try NIfTI.readHeader(at: vectorURL("nifti/sform_over_qform.nii"), caseID: nil)
        #expect(both.sformCode == 2 && both.qformCode == 1)
        #expect(both.bestAffine == both.sform)
        #expect(!both.sform.isClose(to: both.qform))
    }

    @Test func qformIsUsedWithoutSform() throws {
        let header = try NIfTI.readHeader(at: vectorURL("nifti/qform_only.nii.gz"), caseID: nil)
        #expect(header.sformCode == 0)
        #expect(header.bestAffine == header.qform)
    }

    @Test func pixdimFallbackFlipsXAndCentres() throws {
        let header = try NIfTI.readHeader(at: vectorURL("nifti/pixdim_only.nii"), caseID: nil)
        #expect(header.sformCode == 0 && header.qformCode == 0)
        let affine = header.bestAffine
        #expect(affine[0, 0] == -1.5 && affine[1, 1] == 2 && affine[2, 2] == 2.5)
        let centre = affine.apply((1.5, 1, 0.5))
        #expect(abs(centre.0) < 1e-12 && abs(centre.1) < 1e-12 && abs(centre.2) < 1e-12)
    }
}
