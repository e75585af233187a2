import Foundation
import Testing

@testable import Volume

@Suite struct ResamplingTests {
    func volume(shape: [Int], voxels: [Double], spacing: [Double] = [1, 1, 1]) -> Volume {
        Volume(
            shape: GridShape(shape[0], shape[1], shape[2]), affine: .scaling(spacing[0], spacing[1], spacing[2]),
            voxels: voxels.map(Float.init))
    }

    @Test func splineMatchesScipyMapCoordinatesAtScatteredPoints() {
        let vectors = GeometryVectors.shared.points
        let spline = BSplineImage(volume(shape: vectors.shape, voxels: vectors.voxels))
        for (point, expected) in zip(vectors.points, vectors.values) {
            let value = spline.value(atIndex: point[0], point[1], point[2])!
            #expect(abs(Double(value) - expected) < 2e-5, "at \(point)")
        }
    }

    @Test func separableResamplingMatchesScipy() throws {
        let vectors = GeometryVectors.shared.resample
        let input = volume(shape: vectors.shape, voxels: vectors.voxels, spacing: vectors.spacing)
        let output = try input.resampledBSpline(spacing: SIMD3(1, 1, 1))
        #expect([output.shape.x, output.shape.y, output.shape.z] == vectors.newShape)
        let worst = zip(output.voxels, vectors.values).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-3, "largest difference \(worst) on values in 0...100")
    }

    @Test func worldExtentIsPreserved() throws {
        let input = Volume(
            shape: GridShape(40, 30, 20), affine: .scaling(0.9375, 0.9375, 1.5),
            voxels: .init(repeating: 1, count: 24_000))
        let output = try input.resampledBSpline(spacing: SIMD3(1, 1, 1))
        #expect(output.shape == GridShape(38, 28, 30))
        // The grid centres coincide, so the world extent is kept to within half a voxel.
        let oldCentre = input.affine.apply((19.5, 14.5, 9.5)), newCentre = output.affine.apply((18.5, 13.5, 14.5))
        #expect(
            abs(oldCentre.0 - newCentre.0) < 1e-9 && abs(oldCentre.1 - newCentre.1) < 1e-9
                && abs(oldCentre.2 - newCentre.2) < 1e-9)
        #expect(output.spacing == SIMD3(1, 1, 1))
    }

    @Test func constantIsReproducedExactly() throws {
        let input = Volume(
            shape: GridShape(17, 13, 11), affine: .scaling(1.3, 0.7, 1.9),
            voxels: .init(repeating: 42.5, count: 17 * 13 * 11))
        let output = try input.resampledBSpline(spacing: SIMD3(1, 1, 1))
        let worst = output.voxels.map { abs($0 - 42.5) }.max()!
        #expect(worst < 1e-4)
    }

    @Test func splineBeatsTrilinearOnASmoothFunction() throws {
        func field(_ x: Double, _ y: Double, _ z: Double) -> Double {
            sin(x / 4) * cos(y / 5) + 0.5 * sin((x + z) / 6)
        }
        let spacing = SIMD3(1.6, 1.4, 1.8)
        let shape = GridShape(24, 26, 20)
        var voxels = [Float](repeating: 0, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    voxels[shape.offset(i, j, k)] = Float(
                        field(Double(i) * spacing.x, Double(j) * spacing.y, Double(k) * spacing.z))
                }
            }
        }
        let input = Volume(shape: shape, affine: .scaling(spacing.x, spacing.y, spacing.z), voxels: voxels)
        let spline = try input.resampledBSpline(spacing: SIMD3(1, 1, 1))
        var splineError = 0.0, linearError = 0.0, count = 0
        for k in 3..<(spline.shape.z - 3) {
            for j in 3..<(spline.shape.y - 3) {
                for i in 3..<(spline.shape.x - 3) {
                    let world = spline.affine.apply((Double(i), Double(j), Double(k)))
                    let truth = field(world.0, world.1, world.2)
                    let index = (world.0 / spacing.x, world.1 / spacing.y, world.2 / spacing.z)
                    splineError += abs(Double(spline[i, j, k]) - truth)
                    linearError += abs(trilinear(input, index) - truth)
                    count += 1
                }
            }
        }
        #expect(splineError / Double(count) < linearError / Double(count) / 4)
    }

    func trilinear(_ volume: Volume, _ index: (Double, Double, Double)) -> Double {
        let base = [index.0, index.1, index.2].map { Int($0.rounded(.down)) }
        let fraction = [index.0 - Double(base[0]), index.1 - Double(base[1]), index.2 - Double(base[2])]
        var sum = 0.0
        for corner in 0..<8 {
            let offset = [corner & 1, (corner >> 1) & 1, (corner >> 2) & 1]
            var weight = 1.0
            for axis in 0..<3 { weight *= offset[axis] == 1 ? fraction[axis] : 1 - fraction[axis] }
            sum += weight * Double(volume[base[0] + offset[0], base[1] + offset[1], base[2] + offset[2]])
        }
        return sum
    }

    @Test func labelResamplingKeepsTheLabelSet() throws {
        let shape = GridShape(30, 28, 18)
        var labels = LabelVolume(
            shape: shape, affine: .scaling(0.9375, 0.9375, 1.5), voxels: .init(repeating: 0, count: shape.count))
        for k in 4..<14 {
            for j in 6..<20 {
                for i in 5..<25 {
                    let r = abs(i - 15) + abs(j - 13) + abs(k - 9)
                    labels[i, j, k] = r < 4 ? 4 : (r < 7 ? 1 : (r < 10 ? 2 : 0))
                }
            }
        }
        let resampled = try labels.resampledNearest(spacing: SIMD3(1, 1, 1))
        #expect(Set(resampled.voxels) == Set(labels.voxels))
        #expect(resampled.shape == GridShape(28, 26, 27))
        // Volumes in mm³ agree to within the boundary voxels' share.
        let before = Double(labels.voxels.filter { $0 == 4 }.count) * 0.9375 * 0.9375 * 1.5
        let after = Double(resampled.voxels.filter { $0 == 4 }.count)
        #expect(abs(before - after) / before < 0.35)
    }

    @Test func resamplingOntoAnotherGridThroughAffines() throws {
        let shape = GridShape(20, 20, 20)
        var voxels = [Float](repeating: 0, count: shape.count)
        for index in voxels.indices { voxels[index] = Float(index % shape.x) * 2 + 1 }
        let source = Volume(shape: shape, affine: .translation(-10, -10, -10), voxels: voxels)
        // A target whose i axis runs along world y, shifted by half the image.
        let target = Affine(rows: [[0, 1, 0, -10], [1, 0, 0, 0], [0, 0, 1, -10], [0, 0, 0, 1]])
        let (moved, coverage) = try BSplineImage(source).resampled(onto: shape, affine: target)
        #expect(abs(coverage - 0.5) < 0.03)
        // World x = j - 10 → source index j, whose value is 2j + 1.
        #expect(abs(moved[4, 7, 10] - 15) < 1e-3)
        #expect(moved[15, 7, 10] == 0, "world y = 15 lies outside the source")
    }
}
