import Foundation
import SeededRandom
import Testing

@testable import ActiveLearning

func close(_ value: Double, _ reference: Double, tolerance: Double = 1e-6) -> Bool {
    abs(value - reference) <= tolerance
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

@Suite struct UncertaintyScoreTests {
    /// The population variance maps of the voxels 0.9/0.9, 0.0/0.0, 0.3/0.7 and 0.6/0.4: only
    /// voxels 2 and 3 vary, by ±0.2 and ±0.1.
    let variance: [Float] = [0, 0, 0.04, 0.01]

    @Test func mcDropoutAveragesTheTopVarianceVoxels() throws {
        #expect(close(try UncertaintyScore.mcDropout(variance: variance, fraction: 0.25), 0.04))
        #expect(close(try UncertaintyScore.mcDropout(variance: variance, fraction: 0.5), 0.025))
    }

    @Test func bootstrapAveragesVarianceOverAllVoxelsByDefault() throws {
        #expect(close(try UncertaintyScore.bootstrap(variance: variance), 0.05 / 4))
        #expect(close(try UncertaintyScore.bootstrap(variance: variance, aggregation: .topFraction(0.25)), 0.04))
    }

    @Test func marginIsMinusTheMeanDistanceFromOneHalf() throws {
        #expect(try UncertaintyScore.margin([0.5, 1, 0, 0.75]) == -0.3125)
        #expect(try UncertaintyScore.margin([0.5, 0.5]) == 0)
    }
}
