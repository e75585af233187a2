import Foundation
import SeededRandom
import TestSupport
import Testing
import Volume

@testable import SyntheticData

@Suite struct SkullStrippingTests {
    /// The phantom on a 2 mm grid (shared: it takes a while to draw).
    static let atlas = HeadPhantom.atlas(spacing: 2)

    static func dice(_ a: LabelVolume, _ b: LabelVolume) -> Double {
        var both = 0, sum = 0
        for (x, y) in zip(a.voxels, b.voxels) {
            if x != 0 && y != 0 { both += 1 }
            sum += (x != 0 ? 1 : 0) + (y != 0 ? 1 : 0)
        }
        return sum > 0 ? 2 * Double(both) / Double(sum) : 1
    }

    @Test("the brain mask matches the synthetic truth", arguments: TumorSubtype.allCases)
    func brainMaskMatchesTheTruth(_ subtype: TumorSubtype) throws {
        let synthesizer = SubjectSynthesizer(atlas: Self.atlas, spacingScale: 2, withSkull: true)
        let subject = synthesizer.synthesize(seed: 2026, index: 3, subtype: subtype)
        let truth = try #require(subject.brainMask)
        let result = try SkullStripping.strip(t1: subject.t1c, t2: subject.t2, caseID: "Synth_\(subtype)")
        let dice = Self.dice(result.brainMask, truth)
        #expect(dice >= 0.95, "\(subtype): Dice \(dice)")
        #expect(result.brainMask.hasSameGrid(as: subject.t1c))
        // Outside the mask the images are zero; inside they are the input.
        for index in result.t1.voxels.indices {
            if result.brainMask.voxels[index] == 0 {
                #expect(result.t1.voxels[index] == 0 && result.t2?.voxels[index] == 0)
            } else {
                #expect(result.t1.voxels[index] == subject.t1c.voxels[index])
            }
        }
        // Every tumour voxel is kept.
        let lost = zip(subject.label.voxels, result.brainMask.voxels).filter { $0.0 != 0 && $0.1 == 0 }.count
        #expect(Double(lost) <= 0.01 * Double(subject.label.foregroundVoxels), "\(subtype): \(lost) tumour voxels cut")
    }

    @Test func preprocessorWithSkullStrippingMasksTheBrainNotTheHead() throws {
        let synthesizer = SubjectSynthesizer(atlas: Self.atlas, spacingScale: 2, withSkull: true)
        let subject = synthesizer.synthesize(seed: 2026, index: 1, subtype: .ringEnhancing)
        let truth = try #require(subject.brainMask)
        func litres(_ mask: LabelVolume) -> Double {
            Double(mask.foregroundVoxels) * mask.spacing.x * mask.spacing.y * mask.spacing.z / 1e6
        }
        var configuration = PreprocessingConfiguration(spacing: SIMD3(repeating: 3))
        let whole = try Preprocessor(configuration).run(
            caseID: "head", t1c: subject.t1c, t2: subject.t2, label: subject.label)
        configuration.skullStripping = SkullStripping.Configuration()
        let stripped = try Preprocessor(configuration).run(
            caseID: "head", t1c: subject.t1c, t2: subject.t2, label: subject.label)
        #expect(litres(whole.brainMask) > 1.5 * litres(truth), "without stripping the mask is the head")
        #expect(abs(litres(stripped.brainMask) / litres(truth) - 1) < 0.08)
        #expect(stripped.t1c.shape.count < whole.t1c.shape.count, "cropped to the brain")
        #expect(stripped.label?.foregroundVoxels ?? 0 > 0)
    }

    static let grid = Affine.scaling(2, 2, 2)

    @Test func noiseWithoutAHeadIsNoHead() {
        var generator = SeededGenerator(seed: 5)
        let shape = GridShape(48, 48, 48)
        let noise = Volume(
            shape: shape, affine: Self.grid,
            voxels: (0..<shape.count).map { _ in Float(generator.nextUnitDouble() * 100) })
        do {
            _ = try SkullStripping.strip(t1: noise, caseID: "noise")
            Issue.record("noise was stripped as a head")
        } catch {
            #expect(error.code == .noHead)
            #expect(error.caseID == "noise")
        }
    }

    @Test func emptyImageIsNoHead() {
        let empty = Volume(
            shape: GridShape(48, 48, 48), affine: Self.grid, voxels: .init(repeating: 0, count: 48 * 48 * 48))
        do {
            _ = try SkullStripping.strip(t1: empty, caseID: "empty")
            Issue.record("an empty image was stripped")
        } catch {
            #expect(error.code == .noHead)
            #expect(error.caseID == "empty")
            #expect(error.description.contains("case empty"))
        }
    }

    @Test func smallBallIsAnImplausibleBrain() {
        // A 20 mm ball (0.03 l) in a dark field: BET finds it, but it is no brain.
        let shape = GridShape(48, 48, 48)
        var voxels = [Float](repeating: 1, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    let d = SIMD3(Double(i), Double(j), Double(k)) * 2 - 47
                    if (d * d).sum() < 400 { voxels[shape.offset(i, j, k)] = 100 }
                }
            }
        }
        do {
            _ = try SkullStripping.strip(t1: Volume(shape: shape, affine: Self.grid, voxels: voxels), caseID: "ball")
            Issue.record("a ball passed as a brain")
        } catch {
            #expect(error.code == .implausibleBrainVolume)
            #expect(error.caseID == "ball")
        }
    }

    @Test func t2OnAnotherGridIsRefused() {
        let shape = GridShape(8, 8, 8)
        let t1 = Volume(shape: shape, affine: Self.grid, voxels: .init(repeating: 1, count: shape.count))
        let t2 = Volume(shape: shape, affine: .identity, voxels: .init(repeating: 1, count: shape.count))
        do {
            _ = try SkullStripping.strip(t1: t1, t2: t2, caseID: "grids")
            Issue.record("T2 on another grid was accepted")
        } catch {
            #expect(error.code == .gridMismatch)
        }
    }
}
