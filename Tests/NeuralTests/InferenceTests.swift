import SeededRandom
import Testing

@testable import Neural

@Suite struct InferenceTests {
    let config = UNet3DConfig(
        inputChannels: 2, levels: 2, baseChannels: 4, groupNormGroups: 2, dropoutRate: 0.3, dropoutMode: .testOnly)

    @Test func anySizeIsPaddedAndCroppedBack() {
        let network = UNet3D(config: config, seed: 1)
        let image = randomTensor([2, 5, 7, 6], seed: 2)
        let (probabilities, features) = Predictor(strategy: .wholeVolume).predict(network, image: image)
        #expect(probabilities.shape == [1, 1, 5, 7, 6])
        #expect(probabilities.scalars.allSatisfy { $0 > 0 && $0 < 1 })
        #expect(features.count == 8)
    }

    @Test func aSingleWindowEqualsTheWholeVolume() {
        let network = UNet3D(config: config, seed: 1)
        let image = randomTensor([2, 8, 8, 8], seed: 3)
        let whole = Predictor(strategy: .wholeVolume).predict(network, image: image)
        let windowed = Predictor(strategy: .slidingWindow(SlidingWindow(size: [8, 8, 8]))).predict(
            network, image: image)
        #expect(toleranceRatio(windowed.probabilities, whole.probabilities, atol: 1e-6) <= 1)
        #expect(windowed.features == whole.features)
    }

    @Test func mirroringMakesThePredictionCommuteWithFlips() {
        let network = UNet3D(config: config, seed: 1)
        let image = randomTensor([2, 8, 8, 8], seed: 4)
        func flippedImage(_ axis: Int) -> Tensor {
            Augmentation.flipped(image.reshaped([1, 2, 8, 8, 8]), axis: axis).reshaped(image.shape)
        }
        let mirrored = Predictor(strategy: .wholeVolume, mirroring: true)
        let plain = Predictor(strategy: .wholeVolume)
        for axis in 0..<3 {
            let ofFlipped = mirrored.predict(network, image: flippedImage(axis)).probabilities
            let flippedBack = Augmentation.flipped(mirrored.predict(network, image: image).probabilities, axis: axis)
            #expect(toleranceRatio(ofFlipped, flippedBack, atol: 1e-6) <= 1)
            // A random network is not equivariant by itself, so the check can fail without mirroring.
            let plainOfFlipped = plain.predict(network, image: flippedImage(axis)).probabilities
            #expect(
                toleranceRatio(
                    plainOfFlipped,
                    Augmentation.flipped(plain.predict(network, image: image).probabilities, axis: axis), atol: 1e-6)
                    > 1)
        }
        #expect(mirrored.predict(network, image: image).features == plain.predict(network, image: image).features)
    }

    @Test func windowsCoverTheVolumeAndBlendingIsAWeightedMean() {
        let window = SlidingWindow(size: [8, 8, 8], overlap: 0.75)
        #expect(window.starts(length: 20, size: 8) == [0, 2, 4, 6, 8, 10, 12])
        #expect(window.starts(length: 8, size: 8) == [0])
        let gaussian = window.weights()
        #expect(gaussian.max()! > 0.5 && abs(gaussian[0] - 1e-3) < 1e-9 && gaussian.min()! >= 1e-3)
        // A network that ignores position gives the same probability everywhere, whatever the blending:
        // zero weights and a bias make every logit equal.
        let network = UNet3D(config: config, seed: 1)
        network.head.weight.value = Tensor(zeros: network.head.weight.value.shape)
        network.head.bias!.value = Tensor(repeating: 0.7, shape: [1])
        for blending in [SlidingWindow.Blending.constant, .gaussian(sigmaScale: 0.125)] {
            let strategy = InferenceStrategy.slidingWindow(
                SlidingWindow(size: [8, 8, 8], overlap: 0.5, blending: blending))
            let p = Predictor(strategy: strategy).predict(network, image: randomTensor([2, 12, 10, 9], seed: 4))
                .probabilities
            #expect(p.shape == [1, 1, 12, 10, 9])
            #expect(p.scalars.allSatisfy { abs($0 - Tensor.sigmoid(0.7)) < 1e-6 })
        }
    }

    @Test func monteCarloDropoutGivesVarianceOnlyWithDropout() {
        let image = randomTensor([2, 8, 8, 8], seed: 5)
        let predictor = Predictor(strategy: .wholeVolume)
        let stochastic = UNet3D(config: config, seed: 1)
        let maps = predictor.monteCarloDropout(stochastic, image: image, passes: 6, seed: 7)
        #expect(maps.predictions == 6 && maps.mean.shape == [1, 1, 8, 8, 8])
        #expect(maps.variance.scalars.contains { $0 > 1e-6 })
        #expect(maps.variance.scalars.allSatisfy { $0 >= 0 && $0 <= 0.25 })
        let again = predictor.monteCarloDropout(stochastic, image: image, passes: 6, seed: 7)
        #expect(again.mean == maps.mean && again.variance == maps.variance)
        var deterministicConfig = config
        deterministicConfig.dropoutMode = .none
        let deterministic = UNet3D(config: deterministicConfig, seed: 1)
        let flat = predictor.monteCarloDropout(deterministic, image: image, passes: 3, seed: 7)
        #expect(flat.variance.scalars.allSatisfy { $0 < 1e-12 })
        #expect(flat.mean == predictor.predict(deterministic, image: image).probabilities)
        // Test-only dropout is off in evaluation, so a plain prediction is deterministic.
        #expect(
            predictor.predict(stochastic, image: image).probabilities
                == predictor.predict(stochastic, image: image).probabilities)
    }

    @Test func ensembleMeanAndVarianceAreThoseOfItsMembers() {
        let image = randomTensor([2, 8, 8, 8], seed: 6)
        let predictor = Predictor(strategy: .wholeVolume)
        let members = (0..<3).map { UNet3D(config: config, seed: UInt64(10 + $0)) }
        let maps = predictor.ensemble(members, image: image)
        let predictions = members.map { predictor.predict($0, image: image) }
        for i in stride(from: 0, to: 512, by: 37) {
            let values = predictions.map { Double($0.probabilities.scalars[i]) }
            let mean = values.reduce(0, +) / 3
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3
            #expect(abs(Double(maps.mean.scalars[i]) - mean) < 1e-6)
            #expect(abs(Double(maps.variance.scalars[i]) - variance) < 1e-6)
        }
        #expect(abs(maps.features[0] - predictions.map { $0.features[0] }.reduce(0, +) / 3) < 1e-5)
        let same = predictor.ensemble([members[0], members[0]], image: image)
        #expect(same.variance.scalars.allSatisfy { $0 < 1e-12 })
    }

    @Test(
        "MC passes that share the deterministic prefix equal full passes",
        arguments: UNet3DConfig.DropoutPlacement.allCases)
    func sharedPrefixEqualsFullRecomputation(_ placement: UNet3DConfig.DropoutPlacement) {
        var config = UNet3DConfig(
            inputChannels: 2, levels: 3, baseChannels: 4, groupNormGroups: 2, dropoutRate: 0.3,
            dropoutPlacement: placement, dropoutMode: .trainAndTest)
        config.convolutionsPerLevel = 1
        let network = UNet3D(config: config, seed: 2)
        let image = randomTensor([2, 8, 8, 8], seed: 8)
        let predictor = Predictor(strategy: .wholeVolume)
        network.reseedDropout(11)
        var full = MomentAccumulator()
        for _ in 0..<4 {
            let (p, f) = predictor.predict(network, image: image, phase: .sampling)
            full.add(p, features: f)
        }
        let expected = full.maps()
        let shared = predictor.monteCarloDropout(network, image: image, passes: 4, seed: 11)
        #expect(shared.mean == expected.mean)
        #expect(shared.variance == expected.variance)
        #expect(shared.variance.scalars.contains { $0 > 1e-6 })
    }

    @Test func monteCarloDropoutWithSlidingWindows() {
        let network = UNet3D(config: config, seed: 3)
        let predictor = Predictor(strategy: .slidingWindow(SlidingWindow(size: [8, 8, 8], overlap: 0.5)))
        let maps = predictor.monteCarloDropout(
            network, image: randomTensor([2, 12, 8, 10], seed: 9), passes: 3, seed: 4)
        #expect(maps.mean.shape == [1, 1, 12, 8, 10] && maps.variance.shape == maps.mean.shape)
        #expect(maps.variance.scalars.contains { $0 > 1e-6 })
        #expect(maps.mean.scalars.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func automaticStrategyUsesWindowsOnlyForLargeVolumes() {
        let network = UNet3D(config: config, seed: 4)
        let image = randomTensor([2, 16, 8, 8], seed: 10)
        let window = SlidingWindow(size: [8, 8, 8], overlap: 0.5)
        let small = Predictor(strategy: .automatic(maximumVoxels: 4096, window: window)).predict(network, image: image)
        let large = Predictor(strategy: .automatic(maximumVoxels: 512, window: window)).predict(network, image: image)
        #expect(small.probabilities == Predictor(strategy: .wholeVolume).predict(network, image: image).probabilities)
        #expect(
            large.probabilities
                == Predictor(strategy: .slidingWindow(window)).predict(network, image: image).probabilities)
        #expect(small.probabilities != large.probabilities)
    }

    @Test func streamingMomentsMatchTwoPassMomentsOnManyMaps() {
        var generator = SeededGenerator(seed: 2)
        let maps = (0..<30).map { _ in (0..<500).map { _ in Float.random(in: 0...1, using: &generator) } }
        var accumulator = MomentAccumulator()
        for map in maps { accumulator.add(Tensor(shape: [1, 1, 5, 10, 10], scalars: map), features: [1]) }
        let moments = accumulator.maps()
        #expect(moments.predictions == 30)
        for v in [0, 137, 499] {
            let column = maps.map { Double($0[v]) }
            let mean = column.reduce(0, +) / 30
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 30
            #expect(abs(Double(moments.mean.scalars[v]) - mean) < 1e-6)
            #expect(abs(Double(moments.variance.scalars[v]) - variance) < 1e-6)
        }
    }
}
