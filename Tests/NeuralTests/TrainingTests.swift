import Logging
import SeededRandom
import Testing

@testable import Neural

@Suite struct TrainingTests {
    static func sphereCase(
        id: String, size: Int, radius: Double, center: (Double, Double, Double)? = nil, seed: UInt64
    ) -> TrainingCase {
        let (image, label) = Phantoms.sphere(size: size, radius: radius, center: center, seed: seed)
        return TrainingCase(
            id: id, image: image.reshaped(Array(image.shape[1...])), label: label.scalars.map { UInt8($0) })
    }

    @Test func foregroundOversamplingCentresPatchesOnTheLabel() {
        let trainingCase = Self.sphereCase(id: "a", size: 24, radius: 2, center: (4, 18, 5), seed: 1)
        var generator = SeededGenerator(seed: 2)
        let always = PatchSampler(patchSize: [8, 8, 8], patchesPerCase: 1, foregroundFraction: 1)
        for _ in 0..<20 {
            #expect(always.sample(trainingCase, generator: &generator).label.sum() > 0)
        }
        let never = PatchSampler(patchSize: [8, 8, 8], patchesPerCase: 1, foregroundFraction: 0)
        let hits = (0..<200).filter { _ in never.sample(trainingCase, generator: &generator).label.sum() > 0 }.count
        #expect(hits < 60)
    }

    /// A case whose sampling region is not its label's foreground (a tumor that does not enhance,
    /// labelled background) gets its foreground patches on that region: each covers the region's
    /// voxel, and the label in them stays empty.
    @Test func foregroundPatchesGoToTheSamplingRegionWhereACaseHasOne() {
        let sphere = Self.sphereCase(id: "a", size: 24, radius: 2, center: (4, 18, 5), seed: 1)
        var region = [UInt8](repeating: 0, count: sphere.label.count)
        region[(20 * 24 + 3) * 24 + 19] = 1
        let trainingCase = TrainingCase(
            id: "a", image: sphere.image, label: [UInt8](repeating: 0, count: sphere.label.count),
            samplingRegion: region)
        var generator = SeededGenerator(seed: 2)
        let always = PatchSampler(patchSize: [8, 8, 8], patchesPerCase: 1, foregroundFraction: 1)
        for _ in 0..<20 {
            let patch = always.sample(trainingCase, generator: &generator)
            #expect(
                zip([20, 3, 19], patch.origin).allSatisfy { voxel, corner in (corner..<(corner + 8)).contains(voxel) },
                "patch at \(patch.origin)")
            #expect(patch.label.sum() == 0)
        }
    }

    @Test func patchesPastTheBorderAreZeroPadded() {
        let trainingCase = Self.sphereCase(id: "a", size: 6, radius: 2, seed: 1)
        let sampler = PatchSampler(patchSize: [8, 8, 8])
        var generator = SeededGenerator(seed: 3)
        let patch = sampler.sample(trainingCase, generator: &generator)
        #expect(patch.image.shape == [1, 2, 8, 8, 8])
        #expect(patch.origin == [-1, -1, -1])
        #expect(patch.image.scalars[0] == 0 && patch.label.sum() == trainingCase.label.reduce(0) { $0 + Double($1) })
        #expect(patch.image.scalars[(1 * 8 + 1) * 8 + 1] == trainingCase.image.scalars[0])
    }

    @Test func epochHasPatchesPerCaseAndIsSeeded() {
        let cases = (0..<3).map { Self.sphereCase(id: "\($0)", size: 12, radius: 3, seed: UInt64($0)) }
        let sampler = PatchSampler(patchSize: [8, 8, 8], patchesPerCase: 2)
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let first = sampler.epoch(cases, generator: &a), second = sampler.epoch(cases, generator: &b)
        #expect(first.count == 6)
        #expect(zip(first, second).allSatisfy { $0.image == $1.image && $0.origin == $1.origin })
    }

    @Test func fixedStepEpochDrawsCasesAtRandomAndIsSeeded() {
        let cases = (0..<3).map { Self.sphereCase(id: "\($0)", size: 12, radius: 1.5 + Double($0), seed: UInt64($0)) }
        let sampler = PatchSampler(patchSize: [12, 12, 12], patchesPerCase: 2)
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let first = sampler.epoch(cases, count: 60, generator: &a),
            second = sampler.epoch(cases, count: 60, generator: &b)
        #expect(first.count == 60)
        #expect(zip(first, second).allSatisfy { $0.image == $1.image && $0.origin == $1.origin })
        // Whole-case patches tell the cases apart by their label volume; every case is drawn.
        let drawn = Set(first.map { $0.label.sum() })
        #expect(drawn == Set(cases.map { $0.label.reduce(0) { $0 + Double($1) } }))
    }

    @Test func pooledDiceScoresAnEmptyPredictionZeroWhenAnyCaseHasATumor() {
        var pooled = PooledDice()
        pooled.add(probabilities: [0.1, 0.2], label: [0, 0])
        #expect(pooled.value == 1)
        pooled.add(probabilities: [0.1, 0.2, 0.3], label: [1, 1, 0])
        #expect(pooled.value == 0)
        // The mean of per-case Dice would give the same all-background epoch 0.5.
        #expect(
            (Trainer.dice(probabilities: [0.1, 0.2], label: [0, 0])
                + Trainer.dice(probabilities: [0.1, 0.2, 0.3], label: [1, 1, 0])) / 2 == 0.5)
        var found = PooledDice()
        found.add(probabilities: [0.9, 0.2], label: [0, 0])
        found.add(probabilities: [0.9, 0.9, 0.3], label: [1, 1, 0])
        #expect(found.overlap.intersection == 2 && found.overlap.predicted == 3 && found.overlap.reference == 2)
        #expect(abs(found.value - 0.8) < 1e-12)
    }

    @Test func flipsAreExactAndLabelsStayBinary() {
        let trainingCase = Self.sphereCase(id: "a", size: 8, radius: 3, center: (2, 3, 4), seed: 1)
        let patch = PatchSampler(patchSize: [8, 8, 8]).extract(trainingCase, origin: [0, 0, 0])
        let flippedTwice = Augmentation.flipped(Augmentation.flipped(patch.image, axis: 1), axis: 1)
        #expect(flippedTwice == patch.image)
        let flipped = Augmentation.flipped(patch.label, axis: 2)
        #expect(flipped.scalars[(2 * 8 + 3) * 8 + 3] == patch.label.scalars[(2 * 8 + 3) * 8 + 4])
        var generator = SeededGenerator(seed: 4)
        let always = Augmentation(
            flipProbability: 0.5, affineProbability: 1, maximumRotationDegrees: 15, maximumScaleChange: 0.1)
        for _ in 0..<5 {
            let augmented = always.apply(to: patch, generator: &generator)
            #expect(augmented.label.scalars.allSatisfy { $0 == 0 || $0 == 1 })
            #expect(abs(augmented.label.sum() - patch.label.sum()) < 0.4 * patch.label.sum())
        }
        var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9)
        #expect(always.apply(to: patch, generator: &g1).image == always.apply(to: patch, generator: &g2).image)
    }

    @Test func identityAffineResamplingChangesNothing() {
        let t = randomTensor([1, 2, 4, 5, 6], seed: 3)
        let identity = Augmentation.inverseRotationScaling(angles: [0, 0, 0], scale: 1)
        #expect(toleranceRatio(Augmentation.resample(t, inverse: identity, nearest: false), t, atol: 1e-6) <= 1)
        #expect(Augmentation.resample(t, inverse: identity, nearest: true) == t)
    }

    @Test func trainingLearnsKeepsTheBestEpochAndStopsEarly() throws {
        let training = (0..<2).map {
            Self.sphereCase(id: "t\($0)", size: 16, radius: 4 + Double($0), seed: UInt64(10 + $0))
        }
        let validation = [Self.sphereCase(id: "v", size: 16, radius: 4.5, seed: 20)]
        let network = UNet3D(config: UNet3DTests.tiny, seed: 3)
        let config = TrainingConfig(
            maximumEpochs: 40, patience: 4, patchSize: [16, 16, 16], patchesPerCase: 4,
            schedule: .constant(0.05), weightDecay: 0, augmentation: Augmentation(affineProbability: 0), seed: 1)
        var reports: [EpochReport] = []
        let result = try Trainer(config: config, logger: Logger(label: "test")).train(
            network, training: training, validation: validation
        ) {
            reports.append($0)
        }
        #expect(reports == result.history)
        let best = try #require(result.bestValidationDice)
        #expect(best >= 0.9)
        #expect(best == result.history.compactMap(\.validationDice).max())
        #expect(result.stoppedEarly == (result.history.count < 40))
        if result.stoppedEarly { #expect(result.history.count == result.bestEpoch + 1 + 4) }
        let restored = Trainer.dice(
            probabilities: Predictor().predict(result.network, image: validation[0].image).probabilities.scalars,
            label: validation[0].label)
        #expect(abs(restored - best) < 1e-9)
    }

    @Test func finalEpochSelectionKeepsTheLastWeightsAndRunsEveryEpoch() throws {
        let training = (0..<2).map {
            Self.sphereCase(id: "t\($0)", size: 16, radius: 4 + Double($0), seed: UInt64(10 + $0))
        }
        let validation = [Self.sphereCase(id: "v", size: 16, radius: 4.5, seed: 20)]
        let network = UNet3D(config: UNet3DTests.tiny, seed: 3)
        let config = TrainingConfig(
            maximumEpochs: 6, patience: 1, patchSize: [16, 16, 16], iterationsPerEpoch: 5,
            selection: .finalEpoch, validationInterval: 5, schedule: .constant(0.05), weightDecay: 0,
            augmentation: Augmentation(affineProbability: 0), seed: 1)
        let result = try Trainer(config: config, logger: Logger(label: "test")).train(
            network, training: training, validation: validation)
        #expect(result.history.count == 6)
        #expect(result.history.map { $0.validationDice != nil } == [false, false, false, false, true, true])
        #expect(!result.stoppedEarly)
        #expect(result.bestEpoch == 5)
        let last = try #require(result.history.last?.validationDice)
        #expect(result.bestValidationDice == last)
        let kept = Trainer.dice(
            probabilities: Predictor().predict(result.network, image: validation[0].image).probabilities.scalars,
            label: validation[0].label)
        #expect(abs(kept - last) < 1e-9)
    }

    @Test func batchedStepsWithBatchDiceLearn() throws {
        let training = (0..<2).map {
            Self.sphereCase(id: "t\($0)", size: 16, radius: 4 + Double($0), seed: UInt64(10 + $0))
        }
        let validation = [Self.sphereCase(id: "v", size: 16, radius: 4.5, seed: 20)]
        let network = UNet3D(config: UNet3DTests.tiny, seed: 3)
        let config = TrainingConfig(
            maximumEpochs: 20, patience: 20, patchSize: [16, 16, 16], iterationsPerEpoch: 4, batchSize: 2,
            selection: .finalEpoch, validationInterval: 20, schedule: .constant(0.05), weightDecay: 0,
            augmentation: Augmentation(affineProbability: 0), seed: 1)
        let result = try Trainer(config: config, logger: Logger(label: "test")).train(
            network, training: training, validation: validation)
        #expect(try #require(result.history.last?.validationDice) >= 0.9)
    }

    @Test func stackingBatchesKeepsItemsInOrder() {
        let a = randomTensor([1, 2, 2, 2, 3], seed: 4), b = randomTensor([2, 2, 2, 2, 3], seed: 5)
        let stacked = Tensor(stackingBatches: [a, b])
        #expect(stacked.shape == [3, 2, 2, 2, 3])
        #expect(stacked.scalars == a.scalars + b.scalars)
        #expect(Tensor(stackingBatches: [a]) == a)
    }

    @Test func diceThresholdsAtOneHalf() {
        #expect(Trainer.dice(probabilities: [0.9, 0.6, 0.4, 0.1], label: [1, 0, 1, 0]) == 0.5)
        #expect(Trainer.dice(probabilities: [0.5, 0.49], label: [1, 0]) == 1)
        #expect(Trainer.dice(probabilities: [0.2, 0.1], label: [0, 0]) == 1)
        #expect(Trainer.dice(probabilities: [0.7, 0.1], label: [0, 1]) == 0)
    }
}
