import Foundation
import TestSupport
import Testing

@testable import Volume

/// Files built to break a reader that trusts their headers (scripts/vectors/volume_hostile.py): each
/// must be refused with its own error code, without a trap and without allocating what it claims.
@Suite struct HostileFileTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var code: VolumeError.Code
        /// Whether the header alone shows the problem; otherwise only reading the voxels does.
        var inHeader = true
        var testDescription: String { "\(file) is \(code)" }
    }

    static let cases = [
        Case(file: "nifti2_dim0_8.nii", code: .invalidHeader),
        Case(file: "nifti2_dim0_2e40.nii", code: .invalidHeader),
        Case(file: "nifti1_dim_zero.nii", code: .invalidHeader),
        Case(file: "nifti2_count_2e64.nii", code: .tooLarge),
        Case(file: "nifti2_rank5_huge.nii", code: .tooLarge),
        Case(file: "nifti1_sform_1e4.nii", code: .invalidGeometry),
        Case(file: "nifti1_sform_1e30.nii", code: .invalidGeometry),
        Case(file: "nifti1_sform_nan.nii", code: .invalidGeometry),
        Case(file: "nifti1_extension_2gib.nii", code: .invalidHeader),
        Case(file: "nifti1_extension_2gib.nii.gz", code: .invalidHeader),
        Case(file: "nifti1_offset_past_end.nii", code: .corruptData, inHeader: false),
        Case(file: "nifti1_gz_voxels_missing.nii.gz", code: .corruptData, inHeader: false),
        Case(file: "nifti1_pair.hdr", code: .headerImagePair),
        Case(file: "analyze.hdr", code: .notNIfTI),
    ]

    @Test(arguments: cases) func headerIsRefusedWithItsCode(_ hostile: Case) {
        let url = vectorURL("hostile/\(hostile.file)")
        #expect(code { _ = try NIfTI.fileInfo(at: url) } == (hostile.inHeader ? hostile.code : nil))
        #expect(code { _ = try NIfTI.readImage(at: url, requireContent: false) } == hostile.code)
        #expect(code { _ = try NIfTI.readChannels(at: url) } == hostile.code)
    }

    @Test func errorNamesTheFileAndTheField() {
        let url = vectorURL("hostile/nifti2_dim0_2e40.nii")
        do {
            _ = try NIfTI.readImage(at: url, caseID: "case-3")
            Issue.record("dim[0] = 2^40 was accepted")
        } catch {
            #expect(error.caseID == "case-3")
            #expect(error.file == url.path)
            #expect(error.detail.contains("dim[0] is 1099511627776"))
        }
    }

    @Test func aCompressedFileIsMeasuredBeforeItsVoxelsAreAllocated() {
        // 512³ voxels claimed, 512 bytes present: refused from the stream's length, not after
        // allocating 512 MiB for the claim and finding the data short.
        let url = vectorURL("hostile/nifti1_gz_voxels_missing.nii.gz")
        do {
            _ = try NIfTI.readImage(at: url)
            Issue.record("a stream without its voxels was read")
        } catch {
            #expect(error.code == .corruptData)
            #expect(error.detail.contains("past the end of the 864-byte decompressed stream"))
        }
    }

    @Test func aFileResampledToMoreThanTheCapIsTooLarge() throws {
        // 8³ voxels of 1000 mm: readable, but 8000³ voxels at 1 mm.
        let image = try NIfTI.readImage(at: vectorURL("hostile/nifti1_sform_1e3.nii.gz"))
        #expect(image.spacing == SIMD3(1000, 1000, 1000))
        #expect(code { _ = try image.resampledBSpline(spacing: SIMD3(1, 1, 1)) } == .tooLarge)
        #expect(code { _ = try image.resampledNearest(spacing: SIMD3(1, 1, 1)) } == .tooLarge)
        #expect(code { _ = try image.resampledBSpline(spacing: SIMD3(250, 250, 250)) } == nil)
    }

    @Test func outputGridSizesAreCheckedBeforeConversionToInt() {
        // Voxel sizes no file may have, made in code: 1e30 mm would overflow Int(Double) at 1 mm.
        let huge = Volume(
            shape: GridShape(2, 2, 2), affine: .scaling(1e30, 1, 1), voxels: .init(repeating: 1, count: 8))
        #expect(code { _ = try huge.resampledBSpline(spacing: SIMD3(1, 1, 1)) } == .tooLarge)
        let flat = Volume(shape: GridShape(2, 2, 2), affine: .scaling(0, 1, 1), voxels: .init(repeating: 1, count: 8))
        #expect(code { _ = try flat.resampledNearest(spacing: SIMD3(1, 1, 1)) } == .invalidGeometry)
        let unit = Volume(shape: GridShape(2, 2, 2), affine: .identity, voxels: .init(repeating: 1, count: 8))
        for target in [SIMD3(0, 1, 1), SIMD3(-1, 1, 1), SIMD3(.nan, 1, 1), SIMD3(.infinity, 1, 1)] {
            #expect(code { _ = try unit.resampledBSpline(spacing: target) } == .invalidGeometry)
        }
        #expect(code { _ = try unit.resampledBSpline(spacing: SIMD3(1e-3, 1e-3, 1e-3), maxVoxels: 1000) } == .tooLarge)
    }

    @Test func thePreprocessorCapsTheGridsItMakes() throws {
        let image = try NIfTI.readImage(at: vectorURL("hostile/nifti1_sform_1e3.nii.gz"))
        do {
            _ = try Preprocessor().run(caseID: "huge-voxels", t1c: image, t2: image, label: nil)
            Issue.record("an 8000³ grid was made")
        } catch {
            #expect(error.code == .tooLarge)
            #expect(error.caseID == "huge-voxels")
        }
    }

    @Test func nearestNeighbourThroughFarApartAffinesDoesNotTrap() throws {
        let source = LabelVolume(
            shape: GridShape(2, 2, 2), affine: .translation(1e300, 0, 0),
            voxels: .init(repeating: 1, count: 8))
        let moved = try source.resampledNearest(onto: GridShape(2, 2, 2), affine: .scaling(1e-300, 1, 1), outside: 0)
        #expect(moved.voxels == .init(repeating: 0, count: 8))
    }

    @Test func onlyTheNamedFileIsOpened() throws {
        // libnifti, given the name "scan", would read "scan.nii" beside it.
        let folder = try TemporaryFolder()
        try NIfTI.write(indexVolume(GridShape(4, 4, 4)), to: folder.file("scan.nii"))
        try Data(String(repeating: "not an image\n", count: 60).utf8).write(to: folder.file("scan"))
        #expect(code { _ = try NIfTI.readImage(at: folder.file("scan")) } == .notNIfTI)
        try FileManager.default.removeItem(at: folder.file("scan"))
        #expect(code { _ = try NIfTI.readImage(at: folder.file("scan")) } == .missingFile)
        // A pair's header is refused even with its image beside it.
        try FileManager.default.copyItem(at: vectorURL("hostile/nifti1_pair.hdr"), to: folder.file("pair.hdr"))
        try Data(repeating: 1, count: 512).write(to: folder.file("pair.img"))
        #expect(code { _ = try NIfTI.readImage(at: folder.file("pair.hdr")) } == .headerImagePair)
    }

    @Test func aSingleFileNamedLikeAPairHeaderIsRead() throws {
        // The content decides, not the name: an n+1 file called .hdr is one file.
        let folder = try TemporaryFolder()
        let volume = indexVolume(GridShape(4, 4, 4))
        try NIfTI.write(volume, to: folder.file("single.nii"))
        try FileManager.default.moveItem(at: folder.file("single.nii"), to: folder.file("single.hdr"))
        #expect(try NIfTI.readImage(at: folder.file("single.hdr")).voxels == volume.voxels)
    }
}
