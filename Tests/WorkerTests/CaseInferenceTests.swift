import ActiveLearning
import Neural
import Profiles
import Proto
import SeededRandom
import Testing

@testable import ScorerService

/// The scorer's scores are the ActiveLearning library's rules applied to the population variance
/// of the same probability maps, produced here one pass at a time and reduced in two passes.
@Suite struct CaseInferenceTests {
    private let predictor = Predictor(strategy: .wholeVolume)

    private func network(seed: UInt64) -> UNet3D {
        UNet3D(config: ExperimentProfile.tiny.network(dropout: .train, rate: 0.5), seed: seed)
    }

    /// The voxel-wise mean and population variance of `maps`, the textbook two-pass way.
    private func moments(_ maps: [[Float]]) -> (mean: [Float], variance: [Float]) {
        let count = Double(maps.count)
        let mean = (0..<maps[0].count).map { v in maps.reduce(0) { $0 + Double($1[v]) } / count }
        let variance = (0..<maps[0].count).map { v in
            maps.reduce(0) { $0 + (Double($1[v]) - mean[v]) * (Double($1[v]) - mean[v]) } / count
        }
        return (mean.map { Float($0) }, variance.map { Float($0) })
    }

    private var image: Tensor {
        var generator = SeededGenerator(seed: 4)
        return Tensor(
            shape: [2, 12, 16, 14], scalars: (0..<(2 * 12 * 16 * 14)).map { _ in Float(generator.nextGaussian()) })
    }

    private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(1, abs(b)) }

    @Test func dropoutScoreIsTheTopFractionOfThePassesVariance() throws {
        let model = network(seed: 1)
        let inference = try CaseInference(
            method: .dropoutTrainTest, networks: [model], image: image, predictor: predictor,
            passes: 5, topFraction: 0.01, seed: 9)
        model.reseedDropout(9)
        let passes = (0..<5).map { _ in predictor.predict(model, image: image, phase: .sampling).probabilities.scalars }
        let expected = try UncertaintyScore.mcDropout(variance: moments(passes).variance, fraction: 0.01)
        #expect(expected > 0)
        #expect(close(inference.score, expected))
        #expect(inference.features.count == ExperimentProfile.tiny.network.channels(atLevel: 1))
    }

    @Test func bootstrapScoreIsTheMeanVarianceOfTheMembers() throws {
        let members = [network(seed: 1), network(seed: 2), network(seed: 3)]
        let inference = try CaseInference(
            method: .bootstrap, networks: members, image: image, predictor: predictor,
            passes: 1, topFraction: 0.01, seed: 9)
        let (mean, variance) = moments(members.map { predictor.predict($0, image: image).probabilities.scalars })
        #expect(close(inference.score, try UncertaintyScore.bootstrap(variance: variance)))
        let meanDifference = zip(inference.meanMap, mean).map { abs($0 - $1) }.max() ?? 1
        #expect(meanDifference < 1e-6)
    }

    @Test func marginScoreAndRandomScore() throws {
        let model = network(seed: 5)
        let margins = try CaseInference(
            method: .margins, networks: [model], image: image, predictor: predictor,
            passes: 1, topFraction: 0.01, seed: 9)
        let probabilities = predictor.predict(model, image: image).probabilities.scalars
        #expect(close(margins.score, try UncertaintyScore.margin(probabilities)))
        #expect(margins.maxVariance == 0)
        let random = try CaseInference(
            method: .random, networks: [model], image: image, predictor: predictor,
            passes: 1, topFraction: 0.01, seed: 9)
        #expect(random.score == 0)
        #expect(random.features == margins.features)
    }
}
