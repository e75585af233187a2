import StatisticsFixtures
import Testing

@testable import Statistics

/// A mask with the given foreground voxels, listed as (x, y, z).
func mask(_ dimensions: SIMD3<Int>, spacing: SIMD3<Double> = .one, _ foreground: [SIMD3<Int>]) throws -> BinaryMask {
    var voxels = [Bool](repeating: false, count: dimensions.x * dimensions.y * dimensions.z)
    for p in foreground { voxels[p.x + dimensions.x * (p.y + dimensions.y * p.z)] = true }
    return try BinaryMask(dimensions: dimensions, spacing: spacing, voxels: voxels)
}

@Suite struct DiceTests {
    @Test func bothEmptyIsPerfectAgreement() throws {
        let empty = try mask([4, 4, 4], [])
        #expect(try dice(prediction: empty, reference: empty) == 1)
    }

    @Test func oneEmptyIsZero() throws {
        let empty = try mask([4, 4, 4], [])
        let one = try mask([4, 4, 4], [[1, 1, 1]])
        #expect(try dice(prediction: empty, reference: one) == 0)
        #expect(try dice(prediction: one, reference: empty) == 0)
    }

    @Test func partialOverlapIsTwiceIntersectionOverSizes() throws {
        let p = try mask([4, 4, 4], [[0, 0, 0], [1, 0, 0], [2, 0, 0]])
        let r = try mask([4, 4, 4], [[1, 0, 0], [2, 0, 0], [3, 0, 0], [3, 1, 0], [3, 2, 0]])
        #expect(try dice(prediction: p, reference: r) == 2.0 * 2 / 8)
    }

    @Test func thresholdsProbabilitiesAtOneHalf() throws {
        let m = try BinaryMask(probabilities: [0.2, 0.5, 0.49, 0.9], dimensions: [4, 1, 1])
        #expect(m.voxels == [false, true, false, true])
    }

    @Test("Dice matches numpy on random masks", arguments: MaskVector.all)
    func diceMatchesNumpy(_ v: MaskVector) throws {
        let (p, r) = try v.masks()
        #expect(close(try dice(prediction: p, reference: r), v.dice, relative: 1e-15))
    }

    @Test func rejectsDifferentGrids() throws {
        #expect(throws: StatisticsError.self) {
            try dice(prediction: try mask([2, 2, 2], []), reference: try mask([2, 2, 3], []))
        }
    }
}

@Suite struct HausdorffDistanceTests {
    @Test func bothEmptyIsZeroAndOneEmptyIsInfinite() throws {
        let empty = try mask([5, 5, 5], [])
        let one = try mask([5, 5, 5], [[2, 2, 2]])
        #expect(try hausdorffDistance95(prediction: empty, reference: empty) == 0)
        #expect(try hausdorffDistance95(prediction: empty, reference: one) == .infinity)
        #expect(try hausdorffDistance95(prediction: one, reference: empty) == .infinity)
    }

    @Test func singleVoxelsAreTheirPhysicalDistanceApart() throws {
        let spacing: SIMD3<Double> = [0.5, 2, 3]
        let p = try mask([6, 6, 6], spacing: spacing, [[1, 1, 1]])
        let r = try mask([6, 6, 6], spacing: spacing, [[4, 3, 2]])
        // Δ = (3·0.5, 2·2, 1·3) mm; both directed distances are the same single value.
        let expected = (1.5 * 1.5 + 4.0 * 4.0 + 3.0 * 3.0).squareRoot()
        #expect(close(try hausdorffDistance95(prediction: p, reference: r), expected, relative: 1e-15))
    }

    @Test func identicalMasksAreZeroApart() throws {
        let m = try mask([5, 5, 5], spacing: [1, 1, 2.5], [[1, 1, 1], [2, 1, 1], [2, 2, 1], [2, 2, 2]])
        #expect(try hausdorffDistance95(prediction: m, reference: m) == 0)
    }

    @Test func anisotropicSpacingStretchesDistancesAlongItsAxis() throws {
        // The same pair of voxels, one step apart along z, then along x, with 3 mm slices.
        let spacing: SIMD3<Double> = [1, 1, 3]
        let alongZ = try hausdorffDistance95(
            prediction: try mask([4, 4, 4], spacing: spacing, [[1, 1, 1]]),
            reference: try mask([4, 4, 4], spacing: spacing, [[1, 1, 2]]))
        let alongX = try hausdorffDistance95(
            prediction: try mask([4, 4, 4], spacing: spacing, [[1, 1, 1]]),
            reference: try mask([4, 4, 4], spacing: spacing, [[2, 1, 1]]))
        #expect(alongZ == 3 && alongX == 1)
    }

    @Test("HD95 matches scipy's exact EDT on random anisotropic masks", arguments: MaskVector.all)
    func hd95MatchesScipy(_ v: MaskVector) throws {
        let (p, r) = try v.masks()
        #expect(close(try hausdorffDistance95(prediction: p, reference: r), v.hd95, relative: 1e-12))
    }

    @Test func percentileInterpolatesLinearlyAsNumpy() {
        #expect(close(percentile([4, 1, 3, 2], 95), 3.85, relative: 1e-15))
        #expect(percentile([7], 95) == 7)
    }
}

extension MaskVector {
    func masks() throws -> (prediction: BinaryMask, reference: BinaryMask) {
        let dimensions = SIMD3(dimensions[0], dimensions[1], dimensions[2])
        let spacing = SIMD3(spacing[0], spacing[1], spacing[2])
        func build(_ indices: [Int]) throws -> BinaryMask {
            var voxels = [Bool](repeating: false, count: dimensions.x * dimensions.y * dimensions.z)
            for i in indices { voxels[i] = true }
            return try BinaryMask(dimensions: dimensions, spacing: spacing, voxels: voxels)
        }
        return (try build(prediction), try build(reference))
    }
}
