import Foundation
import SyntheticData
import TestSupport
import Testing
import Volume

@testable import CommandLineTools

@Suite struct VolumeSkullStripCommandTests {
    @Test func skullStripWritesTheBrainAndItsMask() async throws {
        let folder = try TemporaryFolder()
        let synth = await activeseg(
            [
                "synth", "--cases", "1", "--seed", "5", "--out", "heads", "--anatomy", "phantom", "--spacing-scale",
                "2.5", "--with-skull",
            ], in: folder.url)
        #expect(synth.status == .success, "\(synth.errors)")
        let head = "heads/Synth_00001/Synth_00001"
        let run = await activeseg(
            [
                "volume", "skull-strip", "\(head)_t1ce.nii.gz", "brain.nii.gz", "--mask-out", "mask.nii.gz", "--t2",
                "\(head)_t2.nii.gz", "--t2-out", "brain_t2.nii.gz",
            ], in: folder.url)
        #expect(run.status == .success, "\(run.errors)")
        #expect(run.output.contains("Synth_00001_t1ce.nii.gz: brain "), "\(run.output)")

        let truth = try NIfTI.readLabels(at: folder.file("\(head)_brainmask.nii.gz"), allowedValues: [0, 1])
        let mask = try NIfTI.readLabels(at: folder.file("mask.nii.gz"), allowedValues: [0, 1])
        let input = try NIfTI.readImage(at: folder.file("\(head)_t1ce.nii.gz"))
        let brain = try NIfTI.readImage(at: folder.file("brain.nii.gz"))
        #expect(mask.hasSameGrid(as: truth) && brain.hasSameGrid(as: input))
        let both = zip(mask.voxels, truth.voxels).filter { $0.0 != 0 && $0.1 != 0 }.count
        let dice = 2 * Double(both) / Double(mask.foregroundVoxels + truth.foregroundVoxels)
        #expect(dice > 0.93, "Dice \(dice)")
        #expect(zip(brain.voxels, mask.voxels).allSatisfy { $1 != 0 || $0 == 0 }, "zero outside the mask")
        #expect(zip(brain.voxels, zip(input.voxels, mask.voxels)).allSatisfy { $1.1 == 0 || $0 == $1.0 })
        #expect(try NIfTI.fileInfo(at: folder.file("brain.nii.gz")).datatype == .int16, "the input's datatype")
        let t2 = try NIfTI.readImage(at: folder.file("brain_t2.nii.gz"))
        #expect(zip(t2.voxels, mask.voxels).allSatisfy { $1 != 0 || $0 == 0 })
    }

    @Test func anEmptyImageIsADataErrorNamingTheFile() async throws {
        let folder = try TemporaryFolder()
        let shape = GridShape(24, 24, 24)
        try NIfTI.write(
            Volume(shape: shape, affine: .scaling(4, 4, 4), voxels: .init(repeating: 7, count: shape.count)),
            to: folder.file("flat.nii.gz"))
        let run = await activeseg(
            ["volume", "skull-strip", "flat.nii.gz", "out.nii.gz", "--mask-out", "mask.nii.gz"], in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains("\(folder.file("flat.nii.gz").path): noHead"), "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.nii.gz").path))
        #expect(!FileManager.default.fileExists(atPath: folder.file("mask.nii.gz").path))
    }

    @Test(arguments: [
        ["volume", "skull-strip", "a.nii", "b.nii"],
        ["volume", "skull-strip", "a.nii", "b.nii", "--mask-out", "m.mha"],
        ["volume", "skull-strip", "a.nii", "b.nii", "--mask-out", "m.nii", "--t2-out", "c.nii"],
        ["volume", "skull-strip", "a.nii", "b.nii", "--mask-out", "m.nii", "--fractional-threshold", "1.5"],
    ])
    func invalidCommandLinesAreUsageErrors(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(arguments, in: folder.url)
        #expect(run.status == .usage, "\(run.errors)")
    }
}
