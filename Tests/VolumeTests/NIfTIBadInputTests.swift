import Foundation
import TestSupport
import Testing

@testable import Volume

@Suite struct NIfTIBadInputTests {
    func writeSample(_ folder: TemporaryFolder, _ name: String) throws -> URL {
        let url = folder.file(name)
        var volume = indexVolume(GridShape(16, 16, 16))
        // Noise-like content so that gzip cannot shrink the data to a few bytes.
        volume.voxels = volume.voxels.map { Float(Int($0 * 7919) % 1013) }
        try NIfTI.write(volume, to: url)
        return url
    }

    @Test func missingFileNamesCaseAndFile() throws {
        let folder = try TemporaryFolder()
        let url = folder.file("absent.nii.gz")
        do {
            _ = try NIfTI.readImage(at: url, caseID: "case-7")
            Issue.record("reading a missing file succeeded")
        } catch {
            #expect(error.code == .missingFile)
            #expect(error.caseID == "case-7")
            #expect(error.file == url.path)
            #expect(error.description.contains("case-7") && error.description.contains("absent.nii.gz"))
        }
    }

    @Test func truncatedGzipIsCorruptData() throws {
        let folder = try TemporaryFolder()
        let url = try writeSample(folder, "t.nii.gz")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
        #expect(code { _ = try NIfTI.readImage(at: url) } == .corruptData)
    }

    @Test func gzipDamagedInTheHeaderIsCorruptData() throws {
        let folder = try TemporaryFolder()
        let url = try writeSample(folder, "d.nii.gz")
        var bytes = try Data(contentsOf: url)
        for index in 12..<40 { bytes[index] ^= 0x5a }
        try bytes.write(to: url)
        #expect(code { _ = try NIfTI.readImage(at: url) } == .corruptData)
    }

    @Test func truncatedUncompressedDataIsCorruptData() throws {
        let folder = try TemporaryFolder()
        let url = try writeSample(folder, "t.nii")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(600).write(to: url)
        #expect(code { _ = try NIfTI.readImage(at: url) } == .corruptData)
    }

    @Test func textFileIsNotNIfTI() throws {
        let folder = try TemporaryFolder()
        let url = folder.file("notes.nii")
        try Data(String(repeating: "not an image\n", count: 60).utf8).write(to: url)
        #expect(code { _ = try NIfTI.readImage(at: url) } == .notNIfTI)
    }

    @Test func fiveDimensionsAreRejected() throws {
        let folder = try TemporaryFolder()
        let url = try writeSample(folder, "five.nii")
        // dim[0] at byte 40 and dim[4], dim[5] at 48, 50 of the NIfTI-1 header (little-endian int16).
        var bytes = try Data(contentsOf: url)
        bytes[40] = 5
        bytes[48] = 1
        bytes[50] = 2
        try bytes.write(to: url)
        do {
            _ = try NIfTI.readImage(at: url)
            Issue.record("a 5D image was accepted")
        } catch {
            #expect(error.code == .unsupportedDimensions)
            #expect(error.detail.contains("5D"))
        }
    }

    @Test func nonFiniteVoxelsAreRejected() throws {
        let folder = try TemporaryFolder()
        for bad in [Float.nan, .infinity] {
            var volume = indexVolume(GridShape(8, 8, 8))
            volume.voxels[100] = bad
            let url = folder.file("bad.nii.gz")
            try NIfTI.write(volume, to: url)
            #expect(code { _ = try NIfTI.readImage(at: url) } == .nonFiniteVoxels)
        }
    }

    @Test func allZeroImageIsRejected() throws {
        let folder = try TemporaryFolder()
        let url = folder.file("zero.nii.gz")
        try NIfTI.write(
            Volume(shape: GridShape(8, 8, 8), affine: .identity, voxels: .init(repeating: 0, count: 512)),
            to: url)
        #expect(code { _ = try NIfTI.readImage(at: url) } == .allZero)
        #expect(code { _ = try NIfTI.readImage(at: url, requireContent: false) } == nil)
    }

    @Test func labelsOutsideTheDeclaredSetAreRejected() throws {
        let folder = try TemporaryFolder()
        let url = folder.file("seg.nii.gz")
        var labels = LabelVolume(shape: GridShape(8, 8, 8), affine: .identity, voxels: .init(repeating: 0, count: 512))
        labels.voxels[7] = 4
        labels.voxels[9] = 3
        try NIfTI.write(labels, to: url)
        do {
            _ = try NIfTI.readLabels(at: url, allowedValues: [0, 1, 2, 4], caseID: "BraTS-1")
            Issue.record("label 3 was accepted")
        } catch {
            #expect(error.code == .unexpectedLabel)
            #expect(error.detail.contains("3.0"))
        }
        #expect(code { _ = try NIfTI.readLabels(at: url, allowedValues: [0, 1, 2, 3, 4]) } == nil)
    }

    @Test func fractionalLabelsAreRejected() throws {
        let folder = try TemporaryFolder()
        let url = folder.file("seg.nii")
        var volume = Volume(shape: GridShape(4, 4, 4), affine: .identity, voxels: .init(repeating: 0, count: 64))
        volume.voxels[5] = 1.5
        try NIfTI.write(volume, to: url)
        #expect(code { _ = try NIfTI.readLabels(at: url, allowedValues: [0, 1]) } == .unexpectedLabel)
    }

    @Test func voxelCountAboveTheCapIsRejected() throws {
        let folder = try TemporaryFolder()
        let url = try writeSample(folder, "big.nii.gz")
        #expect(code { _ = try NIfTI.readImage(at: url, maxVoxels: 4095) } == .tooLarge)
        #expect(code { _ = try NIfTI.readImage(at: url, maxVoxels: 4096) } == nil)
    }
}
