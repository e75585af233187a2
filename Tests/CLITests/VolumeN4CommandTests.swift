import Foundation
import TestSupport
import Testing
import Volume

@Suite struct VolumeN4CommandTests {
    /// Whether voxel (i, j, k) of the ball is the darker of its two tissues (4-voxel cubes alternate).
    static func darker(_ i: Int, _ j: Int, _ k: Int) -> Bool { (i / 4 + j / 4 + k / 4) % 2 == 0 }

    /// A ball of two tissues on a zero background, 32³ at 2 mm, under a field rising 40% along x.
    static func biasedBall() -> Volume {
        let shape = GridShape(32, 32, 32)
        var voxels = [Float](repeating: 0, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    let (x, y, z) = (Double(i - 16) / 14, Double(j - 16) / 14, Double(k - 16) / 14)
                    guard x * x + y * y + z * z < 1 else { continue }
                    let tissue: Double = darker(i, j, k) ? 100 : 160
                    voxels[shape.offset(i, j, k)] = Float(tissue * (1 + 0.2 * x))
                }
            }
        }
        return Volume(shape: shape, affine: .scaling(2, 2, 2), voxels: voxels)
    }

    static func coefficientOfVariation(_ values: [Float]) -> Double {
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
        return variance.squareRoot() / mean
    }

    @Test func n4WritesTheCorrectedImageAndItsField() async throws {
        let folder = try TemporaryFolder()
        let image = Self.biasedBall()
        try NIfTI.write(image, to: folder.file("t1.nii.gz"), datatype: .int16)
        try NIfTI.write(BrainMask.nonzero([image]), to: folder.file("mask.nii.gz"))
        let run = await activeseg(
            [
                "volume", "n4", "t1.nii.gz", "corrected.nii.gz", "--mask", "mask.nii.gz", "--shrink", "2",
                "--field", "field.nii",
            ],
            in: folder.url)
        #expect(run.status == .success, "\(run.errors)")
        #expect(run.output.contains("N4 in ") && run.output.contains("shrink 2, iterations "), "\(run.output)")
        let stored = try NIfTI.readImage(at: folder.file("t1.nii.gz"))
        let corrected = try NIfTI.readImage(at: folder.file("corrected.nii.gz"))
        let field = try NIfTI.readImage(at: folder.file("field.nii"))
        #expect(try NIfTI.fileInfo(at: folder.file("corrected.nii.gz")).datatype == .float32)
        #expect(corrected.hasSameGrid(as: stored) && field.hasSameGrid(as: stored))
        for index in stored.voxels.indices {
            let product = corrected.voxels[index] * field.voxels[index]
            #expect(abs(product - stored.voxels[index]) <= 1e-4 * max(stored.voxels[index], 1))
        }
        let shape = stored.shape
        let darkTissue = stored.voxels.indices.filter { index in
            let (i, j, k) = (index % shape.x, (index / shape.x) % shape.y, index / (shape.x * shape.y))
            return stored.voxels[index] != 0 && Self.darker(i, j, k)
        }
        let before = Self.coefficientOfVariation(darkTissue.map { stored.voxels[$0] })
        let after = Self.coefficientOfVariation(darkTissue.map { corrected.voxels[$0] })
        #expect(after < before * 0.5, "CoV of one tissue \(before) before, \(after) after")
    }

    @Test func aMaskWithNothingToFitIsADataErrorNamingTheImage() async throws {
        let folder = try TemporaryFolder()
        let image = Self.biasedBall()
        try NIfTI.write(image, to: folder.file("t1.nii"))
        let outside = LabelVolume(
            shape: image.shape, affine: image.affine, voxels: image.voxels.map { $0 == 0 ? 1 : 0 })
        try NIfTI.write(outside, to: folder.file("outside.nii"))
        let run = await activeseg(["volume", "n4", "t1.nii", "out.nii", "--mask", "outside.nii"], in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains("\(folder.file("t1.nii").path): emptyMask: "), "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.nii").path))
    }

    @Test func aMaskOnAnotherGridIsADataErrorNamingTheMask() async throws {
        let folder = try TemporaryFolder()
        let image = Self.biasedBall()
        try NIfTI.write(image, to: folder.file("t1.nii"))
        try NIfTI.write(
            LabelVolume(shape: GridShape(8, 8, 8), affine: .identity, voxels: .init(repeating: 1, count: 512)),
            to: folder.file("small.nii"))
        let run = await activeseg(["volume", "n4", "t1.nii", "out.nii", "--mask", "small.nii"], in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains("\(folder.file("small.nii").path): gridMismatch: "), "\(run.errors)")
    }

    @Test(arguments: [
        ["volume", "n4", "a.nii", "b.nii", "--shrink", "0"],
        ["volume", "n4", "a.nii", "b.mha"],
        ["volume", "n4", "a.nii", "b.nii", "--mask", "m.txt"],
        ["volume", "n4", "a.nii"],
    ])
    func invalidCommandLinesAreUsageErrors(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(arguments, in: folder.url)
        #expect(run.status == .usage)
        #expect(run.errors.contains("Usage: activeseg volume n4"), "\(run.errors)")
    }
}
