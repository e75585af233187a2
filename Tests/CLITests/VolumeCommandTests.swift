import Foundation
import TestSupport
import Testing
import Volume

@testable import CommandLineTools

@Suite struct VolumeCommandTests {
    /// 5×6×7 voxels whose values encode their index, so any permutation or flip shows.
    static func indexVolume(affine: Affine) -> Volume {
        let shape = GridShape(5, 6, 7)
        var voxels = [Float](repeating: 0, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x { voxels[shape.offset(i, j, k)] = Float(1 + i + 10 * j + 100 * k) }
            }
        }
        return Volume(shape: shape, affine: affine, voxels: voxels)
    }

    /// LPS axes, anisotropic voxels, a translation.
    static let lpsAffine = Affine(rows: [[-1.5, 0, 0, 30], [0, -2, 0, 40], [0, 0, 2.5, -50], [0, 0, 0, 1]])

    @Test func infoReportsTheGeometryTheFileWasWrittenWith() async throws {
        let folder = try TemporaryFolder()
        try NIfTI.write(
            Self.indexVolume(affine: Self.lpsAffine), to: folder.file("image.nii.gz"), datatype: .int16,
            version: .nifti2)
        let run = await activeseg(["volume", "info", "image.nii.gz", "--json"], in: folder.url)
        #expect(run.status == .success, "\(run.errors)")
        let description = try decode(VolumeDescription.self, from: run.output)
        #expect(description.shape == [5, 6, 7])
        #expect(description.spacing == [1.5, 2, 2.5])
        #expect(description.affine == [[-1.5, 0, 0, 30], [0, -2, 0, 40], [0, 0, 2.5, -50], [0, 0, 0, 1]])
        #expect(description.orientation == "LPS")
        #expect(description.datatype == "int16")
        #expect(description.niftiVersion == 2)
        #expect(description.values.min == 1)
        #expect(description.values.max == 1 + 4 + 50 + 600)
        #expect(abs(description.values.mean - (1 + 2 + 25 + 300)) < 1e-9)
        #expect(description.file == folder.file("image.nii.gz").path)
    }

    @Test func infoWithoutJSONShowsTheSameFacts() async throws {
        let folder = try TemporaryFolder()
        try NIfTI.write(Self.indexVolume(affine: Self.lpsAffine), to: folder.file("image.nii"))
        let run = await activeseg(["volume", "info", "image.nii"], in: folder.url)
        #expect(run.status == .success)
        for fact in ["NIfTI-1", "float32", "5 × 6 × 7", "1.5 × 2 × 2.5", "LPS", "min 1, max 655, mean 328"] {
            #expect(run.output.contains(fact), "\(fact) in \(run.output)")
        }
    }

    @Test func convertReorientsAndConvertingBackRestoresTheVoxels() async throws {
        let folder = try TemporaryFolder()
        let original = Self.indexVolume(affine: Self.lpsAffine)
        try NIfTI.write(original, to: folder.file("lps.nii.gz"), datatype: .int16)

        let forward = await activeseg(
            ["volume", "convert", "lps.nii.gz", "pir.nii.gz", "--orient", "PIR"], in: folder.url)
        #expect(forward.status == .success, "\(forward.errors)")
        let info = await activeseg(["volume", "info", "pir.nii.gz", "--json"], in: folder.url)
        let reoriented = try decode(VolumeDescription.self, from: info.output)
        #expect(reoriented.orientation == "PIR")
        #expect(reoriented.shape == [6, 7, 5])
        #expect(reoriented.datatype == "int16")

        let back = await activeseg(["volume", "convert", "pir.nii.gz", "back.nii", "--orient", "LPS"], in: folder.url)
        #expect(back.status == .success, "\(back.errors)")
        let restored = try NIfTI.readImage(at: folder.file("back.nii"))
        #expect(restored.shape == original.shape)
        #expect(restored.voxels == original.voxels)
        #expect(restored.affine.isClose(to: original.affine, tolerance: 1e-5))
    }

    @Test func convertKeepsTheStoredDatatypeAndScaling() async throws {
        let folder = try TemporaryFolder()
        let original = Self.indexVolume(affine: Self.lpsAffine)
        try NIfTI.write(original, to: folder.file("scaled.nii.gz"), datatype: .int16, slope: 0.5, intercept: 10)
        let run = await activeseg(
            ["volume", "convert", "scaled.nii.gz", "ras.nii.gz", "--orient", "RAS"], in: folder.url)
        #expect(run.status == .success, "\(run.errors)")
        let info = try NIfTI.fileInfo(at: folder.file("ras.nii.gz"))
        #expect(info.datatype == .int16)
        #expect(info.slope == 0.5 && info.intercept == 10)
        let back = await activeseg(
            ["volume", "convert", "ras.nii.gz", "float.nii", "--orient", "LPS", "--datatype", "float32"],
            in: folder.url)
        #expect(back.status == .success, "\(back.errors)")
        #expect(try NIfTI.fileInfo(at: folder.file("float.nii")).datatype == .float32)
        #expect(try NIfTI.readImage(at: folder.file("float.nii")).voxels == original.voxels)
    }

    @Test func convertResamplesLabelsByNearestNeighbour() async throws {
        let folder = try TemporaryFolder()
        try NIfTI.write(Self.indexVolume(affine: .scaling(2, 2, 2)), to: folder.file("coarse.nii"))
        let run = await activeseg(
            ["volume", "convert", "coarse.nii", "fine.nii", "--spacing", "1", "--interp", "nearest"],
            in: folder.url)
        #expect(run.status == .success, "\(run.errors)")
        let fine = try NIfTI.readImage(at: folder.file("fine.nii"))
        #expect(fine.shape == GridShape(10, 12, 14))
        #expect(fine.spacing == SIMD3(1, 1, 1))
        #expect(Set(fine.voxels) == Set(Self.indexVolume(affine: .identity).voxels))
    }

    @Test func aMissingFileIsADataErrorNamingTheFile() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["volume", "info", "absent.nii.gz"], in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.status.rawValue == 65)
        #expect(run.errors.contains("file not found: \(folder.file("absent.nii.gz").path)"))
        #expect(run.output.isEmpty)
    }

    @Test func aFileThatIsNotNIfTIIsADataError() async throws {
        let folder = try TemporaryFolder()
        try Data("not an image".utf8).write(to: folder.file("text.nii"))
        let run = await activeseg(["volume", "convert", "text.nii", "out.nii"], in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains(folder.file("text.nii").path))
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.nii").path))
    }

    /// A file of scripts/vectors/volume_hostile.py, copied into `folder`.
    static func hostileFile(_ name: String, into folder: TemporaryFolder) throws {
        let source = checkoutRoot.appendingPathComponent("Tests/VolumeTests/Vectors/hostile/\(name)")
        try FileManager.default.copyItem(at: source, to: folder.file(name))
    }

    @Test func aHeaderThatCrashedLibniftiIsADataErrorNamingTheField() async throws {
        let folder = try TemporaryFolder()
        try Self.hostileFile("nifti2_dim0_2e40.nii", into: folder)
        let run = await activeseg(["volume", "info", "nifti2_dim0_2e40.nii"], in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.status.rawValue == 65)
        #expect(
            run.errors.contains("\(folder.file("nifti2_dim0_2e40.nii").path): dim[0] is 1099511627776, outside 1...7"),
            "\(run.errors)")
        #expect(run.output.isEmpty)
    }

    @Test func resamplingBeyondTheVoxelCapIsADataError() async throws {
        let folder = try TemporaryFolder()
        try Self.hostileFile("nifti1_sform_1e3.nii.gz", into: folder)
        let run = await activeseg(
            ["volume", "convert", "nifti1_sform_1e3.nii.gz", "out.nii", "--spacing", "1"], in: folder.url)
        #expect(run.status == .dataError)
        #expect(
            run.errors.contains(
                "\(folder.file("nifti1_sform_1e3.nii.gz").path): tooLarge: resampling 8×8×8 from 1000.0×1000.0×1000.0 mm"
            ),
            "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("out.nii").path))
    }

    /// An ellipsoidal head with a bright core and a darker rim on a 2 mm grid centred on the origin,
    /// placed in the world by `motion`.
    static func head(contrast: (core: Float, rim: Float), motion: Affine = .identity) -> Volume {
        let shape = GridShape(40, 44, 36)
        var grid = Affine.scaling(2, 2, 2)
        for axis in 0..<3 { grid[axis, 3] = -Double(shape[axis] - 1) }
        var voxels = [Float](repeating: 0, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    let (x, y, z) = grid.apply((Double(i), Double(j), Double(k)))
                    let r = (x * x / 900 + y * y / 1225 + z * z / 625).squareRoot()
                    guard r < 1 else { continue }
                    let texture = Float(30 * sin(x / 5) * cos(y / 7) * sin(z / 4))
                    voxels[shape.offset(i, j, k)] = (r < 0.6 ? contrast.core : contrast.rim) + texture
                }
            }
        }
        return Volume(shape: shape, affine: motion * grid, voxels: voxels)
    }

    @Test func registerMovesTheImageOntoTheFixedGridAndWritesTheTransform() async throws {
        let folder = try TemporaryFolder()
        let fixed = Self.head(contrast: (core: 1000, rim: 400))
        let truth = RigidTransform(angles: SIMD3(0.08, 0, -0.05), translation: SIMD3(4, -3, 2))
        try NIfTI.write(fixed, to: folder.file("t1c.nii.gz"))
        try NIfTI.write(
            Self.head(contrast: (core: 300, rim: 900), motion: truth.matrix), to: folder.file("t2.nii.gz"),
            datatype: .int16)
        let run = await activeseg(
            ["volume", "register", "t2.nii.gz", "t1c.nii.gz", "moved.nii.gz", "--transform-out", "t.json"],
            in: folder.url)
        #expect(run.status == .success, "\(run.errors)")
        #expect(run.output.contains("overlap"), "\(run.output)")
        let moved = try NIfTI.readImage(at: folder.file("moved.nii.gz"))
        #expect(moved.hasSameGrid(as: fixed))
        let description = try JSONDecoder().decode(
            VolumeRegisterCommand.TransformDescription.self, from: Data(contentsOf: folder.file("t.json")))
        #expect(description.matrix.count == 4 && description.matrix.allSatisfy { $0.count == 4 })
        #expect(Affine(rows: description.matrix).isClose(to: truth.matrix, tolerance: 0.15), "\(description.matrix)")
        #expect(abs(description.anglesDegrees[0] - 0.08 * 180 / .pi) < 0.5)
        #expect(description.overlap > 0.9)
        #expect(try String(contentsOf: folder.file("t.json"), encoding: .utf8).contains("\"translation_mm\""))
        // Moved back, the core is bright where the fixed image's core is dark in the other contrast.
        let centre = fixed.shape.offset(20, 22, 18)
        #expect(moved.voxels[centre] < 500 && fixed.voxels[centre] > 800)
    }

    @Test func registeringImagesThatDoNotOverlapIsADataErrorAndWritesNothing() async throws {
        let folder = try TemporaryFolder()
        try NIfTI.write(Self.head(contrast: (core: 1000, rim: 400)), to: folder.file("t1c.nii"))
        // Nonzero only in a few corner voxels: its centre of mass lands the head on empty space.
        var sparse = Self.head(contrast: (core: 300, rim: 900))
        sparse.voxels = sparse.voxels.indices.map { $0 < 3 ? 50 : 0 }
        try NIfTI.write(sparse, to: folder.file("t2.nii"))
        let run = await activeseg(["volume", "register", "t2.nii", "t1c.nii", "moved.nii"], in: folder.url)
        #expect(run.status == .dataError, "\(run.errors)")
        #expect(run.errors.contains("registrationFailed"), "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("moved.nii").path))
    }

    @Test(arguments: [
        ["volume", "register", "a.nii", "b.nii", "c.mha"],
        ["volume", "register", "a.nii", "b.nii"],
        ["volume", "convert", "a.nii", "b.nii", "--orient", "RRS"],
        ["volume", "convert", "a.nii", "b.nii", "--spacing", "1,2"],
        ["volume", "convert", "a.nii", "b.mha"],
        ["volume", "convert", "a.nii", "b.nii", "--interp", "cubic"],
        ["volume", "info"],
        ["volume", "frobnicate"],
    ])
    func invalidCommandLinesAreUsageErrors(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(arguments, in: folder.url)
        #expect(run.status == .usage)
        #expect(run.status.rawValue == 64)
        #expect(run.errors.contains("Usage: activeseg volume"), "\(run.errors)")
    }
}
