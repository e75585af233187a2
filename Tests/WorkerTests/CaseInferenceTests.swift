import ActiveLearning
import Neural
import Profiles
import Proto
import SeededRandom
import Testing

@testable import ScorerService

/// The scorer's scores are the ActiveLearning library's, computed from the same probability maps
/// one pass at a time.
@Suite struct CaseInferenceTests {
    private let predictor = Predictor(strategy: .wholeVolume)

    private func network(seed: UInt64) -> UNet3D {
        UNet3D(config: ExperimentProfile.tiny.network(dropout: .train, rate: 0.5), seed: seed)
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
        var samples = try SampleMapAccumulator(voxelCount: 12 * 16 * 14)
        for _ in 0..<5 {
            try samples.add(predictor.predict(model, image: image, phase: .sampling).probabilities.scalars)
        }
        let expected = try UncertaintyScore.mcDropout(samples, fraction: 0.01)
        #expect(expected > 0)
        #expect(close(inference.score, expected))
        #expect(inference.features.count == ExperimentProfile.tiny.network.channels(atLevel: 1))
    }

    @Test func bootstrapScoreIsTheMeanVarianceOfTheMembers() throws {
        let members = [network(seed: 1), network(seed: 2), network(seed: 3)]
        let inference = try CaseInference(
            method: .bootstrap, networks: members, image: image, predictor: predictor,
            passes: 1, topFraction: 0.01, seed: 9)
        var samples = try SampleMapAccumulator(voxelCount: 12 * 16 * 14)
        for member in members { try samples.add(predictor.predict(member, image: image).probabilities.scalars) }
        #expect(close(inference.score, try UncertaintyScore.bootstrap(samples)))
        let meanDifference = zip(inference.meanMap, try samples.meanMap()).map { abs($0 - $1) }.max() ?? 1
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
