import Foundation
import Testing

@testable import Volume

@Suite struct PreprocessorTests {
    /// A skull-stripped-like case: an ellipsoid "brain" with a bright sphere labelled 4 inside an
    /// edema shell labelled 2, on an anisotropic RAS grid.
    func syntheticCase(affine: Affine = .scaling(1.2, 1.2, 1.5)) -> (Volume, Volume, LabelVolume) {
        let shape = GridShape(40, 44, 30)
        var t1c = Volume(shape: shape, affine: affine, voxels: .init(repeating: 0, count: shape.count))
        var t2 = t1c
        var label = LabelVolume(shape: shape, affine: affine, voxels: .init(repeating: 0, count: shape.count))
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    let x = Double(i - 20) / 14, y = Double(j - 22) / 16, z = Double(k - 15) / 11
                    guard x * x + y * y + z * z < 1 else { continue }
                    let tumor =
                        (Double(i - 24) * Double(i - 24) + Double(j - 20) * Double(j - 20) + Double(k - 14)
                        * Double(k - 14)).squareRoot()
                    t1c[i, j, k] = tumor < 4 ? 900 : 400 + Float(i)
                    t2[i, j, k] = tumor < 7 ? 1200 : 600 - Float(j)
                    label[i, j, k] = tumor < 4 ? 4 : (tumor < 7 ? 2 : 0)
                }
            }
        }
        return (t1c, t2, label)
    }

    @Test func producesNormalisedChannelsOnOneCroppedGrid() throws {
        let (t1c, t2, label) = syntheticCase()
        let result = try Preprocessor().run(caseID: "c1", t1c: t1c, t2: t2, label: label)
        #expect(try result.t1c.axisCodes() == .lps)
        #expect(result.t1c.spacing == SIMD3(1, 1, 1))
        #expect(result.t2.hasSameGrid(as: result.t1c) && result.brainMask.hasSameGrid(as: result.t1c))
        let label1 = try #require(result.label)
        #expect(Set(label1.voxels) == [0, 1])
        // Brain ≈ 2·14·1.2 by 2·16·1.2 by 2·11·1.5 mm, plus the 4-voxel margin on each side.
        #expect(
            abs(result.t1c.shape.x - 34 - 8) <= 2 && abs(result.t1c.shape.y - 38 - 8) <= 2
                && abs(result.t1c.shape.z - 33 - 8) <= 2)
        for channel in [result.t1c, result.t2] {
            let inside = zip(channel.voxels, result.brainMask.voxels).filter { $0.1 != 0 }.map { Double($0.0) }
            let mean = inside.reduce(0, +) / Double(inside.count)
            let variance = inside.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(inside.count)
            #expect(abs(mean) < 1e-4 && abs(variance - 1) < 1e-3)
            #expect(zip(channel.voxels, result.brainMask.voxels).allSatisfy { $0.1 != 0 || $0.0 == 0 })
        }
        // The enhancing sphere (radius 4 voxels of 1.2–1.5 mm) keeps roughly its volume in mm³.
        let foreground = Double(label1.voxels.filter { $0 == 1 }.count)
        let expected = Double(label.voxels.filter { $0 == 4 }.count) * 1.2 * 1.2 * 1.5
        #expect(abs(foreground - expected) / expected < 0.3)
    }

    @Test func bratsTwentyTwentyThreeUsesLabelThree() throws {
        var (t1c, t2, label) = syntheticCase()
        label.voxels = label.voxels.map { $0 == 4 ? 3 : $0 }
        var configuration = PreprocessingConfiguration()
        configuration.labels = .brats2023
        let result = try Preprocessor(configuration).run(caseID: "c2", t1c: t1c, t2: t2, label: label)
        #expect(result.label!.voxels.contains(1))
        let old = try Preprocessor().run(caseID: "c2", t1c: t1c, t2: t2, label: label)
        #expect(!old.label!.voxels.contains(1), "label 3 is not enhancing tumor under the 2021 convention")
    }

    @Test func t2OnAnotherGridIsBroughtOntoT1c() throws {
        let (t1c, _, label) = syntheticCase()
        // The same anatomy written on a grid with flipped i axis and 1 mm voxels.
        let (_, t2Other, _) = syntheticCase(affine: .scaling(1.2, 1.2, 1.5))
        let flipped = try t2Other.reoriented(to: AxisCodes("LAS"))
        // One supplied mask for both runs, so that crop and z-score statistics are the same.
        let mask = BrainMask.nonzero([t1c])
        let result = try Preprocessor().run(caseID: "c3", t1c: t1c, t2: flipped, label: label, mask: mask)
        let direct = try Preprocessor().run(caseID: "c3", t1c: t1c, t2: t2Other, label: label, mask: mask)
        #expect(result.t2.shape == direct.t2.shape)
        let worst = zip(result.t2.voxels, direct.t2.voxels).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-3, "flipping T2's grid only changes how it is stored")
    }

    @Test func t2ThatMissesT1cIsRejected() throws {
        let (t1c, t2, label) = syntheticCase()
        var far = t2
        far.affine = Affine.translation(500, 0, 0) * t2.affine
        do {
            _ = try Preprocessor().run(caseID: "c4", t1c: t1c, t2: far, label: label)
            Issue.record("a T2 500 mm away was accepted")
        } catch {
            #expect(error.code == .noOverlap && error.caseID == "c4")
        }
    }

    @Test func mismatchedGridsAreRejectedWhereTheyMustMatch() throws {
        let (t1c, t2, label) = syntheticCase()
        var shifted = label
        shifted.affine = Affine.translation(3, 0, 0) * label.affine
        #expect(throws: VolumeError.self) { try Preprocessor().run(caseID: "c5", t1c: t1c, t2: t2, label: shifted) }
        var strict = PreprocessingConfiguration()
        strict.t2Alignment = .requireSameGrid
        var moved = t2
        moved.affine = Affine.translation(0, 2, 0) * t2.affine
        do {
            _ = try Preprocessor(strict).run(caseID: "c5", t1c: t1c, t2: moved, label: label)
            Issue.record("a T2 on another grid was accepted")
        } catch {
            #expect(error.code == .gridMismatch)
        }
    }

    @Test func suppliedMaskReplacesTheNonzeroMask() throws {
        let (t1c, t2, label) = syntheticCase()
        var mask = LabelVolume(
            shape: t1c.shape, affine: t1c.affine, voxels: .init(repeating: 0, count: t1c.shape.count))
        for k in 10..<20 { for j in 10..<30 { for i in 10..<30 { mask[i, j, k] = 1 } } }
        var configuration = PreprocessingConfiguration()
        configuration.cropMargin = 0
        let result = try Preprocessor(configuration).run(caseID: "c6", t1c: t1c, t2: t2, label: label, mask: mask)
        #expect(result.brainMask.voxels.allSatisfy { $0 == 1 }, "cropped to the supplied box")
        #expect(abs(result.t1c.shape.x - 24) <= 1 && abs(result.t1c.shape.z - 15) <= 1)
    }
}
