import Foundation
import SeededRandom
import Testing

@testable import ActiveLearning

func close(_ value: Double, _ reference: Double, tolerance: Double = 1e-6) -> Bool {
    abs(value - reference) <= tolerance
}

func accumulate(_ maps: [[Float]], tracksEntropy: Bool = false) throws -> SampleMapAccumulator {
    var accumulator = try SampleMapAccumulator(voxelCount: maps[0].count, tracksEntropy: tracksEntropy)
    for map in maps { try accumulator.add(map) }
    return accumulator
}

@Suite struct TopFractionMeanTests {
    @Test func averagesTheLargestCeilingOfFractionTimesN() throws {
        var generator = SeededGenerator(seed: 1)
        let map = (1...1000).map(Float.init).shuffled(using: &generator)
        #expect(try VoxelAggregation.topFraction(0.001).aggregate(map) == 1000)
        #expect(try VoxelAggregation.topFraction(0.005).aggregate(map) == 998)  // mean of 996 … 1000
        #expect(try VoxelAggregation.topFraction(0.0025).aggregate(map) == 999)  // ⌈2.5⌉ = 3 voxels: 998 … 1000
        #expect(try VoxelAggregation.topFraction(1).aggregate(map) == 500.5)
    }

    @Test func keepsAtLeastOneVoxel() throws {
        let map: [Float] = [0.1, 0.7, 0.3]
        #expect(try VoxelAggregation.topFraction(0.001).aggregate(map) == Double(Float(0.7)))
    }

    @Test func meanAggregationAveragesEveryVoxel() throws {
        #expect(try VoxelAggregation.mean.aggregate([0.25, 0.5, 0.75, 1]) == 0.625)
    }

    @Test func rejectsBadFractionsEmptyMapsAndNaN() {
        #expect(throws: ActiveLearningError.self) { try VoxelAggregation.topFraction(0).aggregate([1]) }
        #expect(throws: ActiveLearningError.self) { try VoxelAggregation.topFraction(1.5).aggregate([1]) }
        #expect(throws: ActiveLearningError.self) { try VoxelAggregation.topFraction(0.5).aggregate([]) }
        #expect(throws: ActiveLearningError.self) { try VoxelAggregation.topFraction(0.5).aggregate([0.2, .nan, 0.1]) }
    }
}

@Suite struct SampleMapAccumulatorTests {
    @Test func varianceIsThePopulationVarianceOverSamples() throws {
        // Voxel 0: 0.1, 0.3, 0.8 → mean 0.4, variance ((0.09 + 0.01 + 0.16) / 3) = 0.26 / 3.
        // Voxel 1: constant 0.5 → variance 0.
        let samples = try accumulate([[0.1, 0.5], [0.3, 0.5], [0.8, 0.5]])
        let variance = try samples.varianceMap()
        #expect(close(Double(variance[0]), 0.26 / 3) && variance[1] == 0)
        #expect(close(Double(try samples.meanMap()[0]), 0.4))
        #expect(samples.sampleCount == 3)
    }

    @Test func rejectsMapsOfAnotherSizeAndEmptyAccumulators() throws {
        var samples = try SampleMapAccumulator(voxelCount: 2)
        #expect(throws: ActiveLearningError.self) { try samples.varianceMap() }
        #expect(throws: ActiveLearningError.self) { try samples.add([0.5, 0.5, 0.5]) }
        #expect(throws: ActiveLearningError.self) { try samples.mutualInformationMap() }
    }
}

@Suite struct UncertaintyScoreTests {
    @Test func mcDropoutAveragesTheTopVarianceVoxels() throws {
        // Four voxels; only voxels 2 and 3 vary: variances 0.04 (±0.2) and 0.01 (±0.1).
        let samples = try accumulate([[0.9, 0.0, 0.3, 0.6], [0.9, 0.0, 0.7, 0.4]])
        #expect(close(try UncertaintyScore.mcDropout(samples, fraction: 0.25), 0.04))
        #expect(close(try UncertaintyScore.mcDropout(samples, fraction: 0.5), 0.025))
    }

    @Test func bootstrapAveragesVarianceOverAllVoxelsByDefault() throws {
        let members = try accumulate([[0.9, 0.0, 0.3, 0.6], [0.9, 0.0, 0.7, 0.4]])
        #expect(close(try UncertaintyScore.bootstrap(members), 0.05 / 4))
        #expect(close(try UncertaintyScore.bootstrap(members, aggregation: .topFraction(0.25)), 0.04))
    }

    @Test func marginIsMinusTheMeanDistanceFromOneHalf() throws {
        #expect(try UncertaintyScore.margin([0.5, 1, 0, 0.75]) == -0.3125)
        #expect(try UncertaintyScore.margin([0.5, 0.5]) == 0)
    }

    @Test func predictiveEntropyAndBALDSeparateModelFromDataUncertainty() throws {
        // Disagreeing samples 0.2 / 0.8: mean 0.5, H(p̄) = ln 2, mean H = H(0.2), BALD = ln 2 − H(0.2).
        let h02 = -0.2 * log(0.2) - 0.8 * log(0.8)
        let disagreeing = try accumulate([[0.2], [0.8]], tracksEntropy: true)
        #expect(close(try UncertaintyScore.predictiveEntropy(disagreeing), log(2)))
        #expect(close(try UncertaintyScore.bald(disagreeing), log(2) - h02))
        // Agreeing samples at 0.5: the same entropy, but no mutual information.
        let agreeing = try accumulate([[0.5], [0.5]], tracksEntropy: true)
        #expect(close(try UncertaintyScore.predictiveEntropy(agreeing), log(2)))
        #expect(try UncertaintyScore.bald(agreeing) == 0)
    }

    @Test func certainVoxelsHaveZeroEntropy() throws {
        let samples = try accumulate([[0, 1], [0, 1]], tracksEntropy: true)
        #expect(try UncertaintyScore.predictiveEntropy(samples, aggregation: .mean) == 0)
        #expect(try UncertaintyScore.bald(samples, aggregation: .mean) == 0)
    }

    @Test func streamingMatchesTwoPassVarianceOnManySamples() throws {
        var generator = SeededGenerator(seed: 2)
        let maps = (0..<30).map { _ in (0..<500).map { _ in Float.random(in: 0...1, using: &generator) } }
        let variance = try accumulate(maps).varianceMap()
        for v in [0, 137, 499] {
            let column = maps.map { Double($0[v]) }
            let mean = column.reduce(0, +) / 30
            let expected = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 30
            #expect(close(Double(variance[v]), expected, tolerance: 1e-6))
        }
    }
}
