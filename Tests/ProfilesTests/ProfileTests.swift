import Neural
import Profiles
import Proto
import Testing

@Suite struct ProfileTests {
    @Test("the network divides the training patch and the inference window", arguments: ExperimentProfile.all)
    func networkDividesPatches(_ profile: ExperimentProfile) {
        let divisor = profile.network.sizeDivisor
        #expect(profile.training.patchEdge % divisor == 0)
        if let window = profile.inference.windowEdge { #expect(window % divisor == 0) }
        #expect(profile.network.channels(atLevel: 0) % profile.network.groupNormGroups == 0)
    }

    @Test("each contract value maps to the profile of its name and back")
    func protoMapping() throws {
        let pairs: [(Proto.Profile, String)] = [(.tiny, "tiny"), (.cpu, "cpu"), (.paper, "paper")]
        for (value, name) in pairs {
            let profile = try ExperimentProfile(value)
            #expect(profile.name.rawValue == name)
            #expect(profile.proto == value)
            #expect(try ExperimentProfile(named: name) == profile)
        }
        #expect(throws: ProfileError.self) { try ExperimentProfile(Proto.Profile.unspecified) }
        #expect(throws: ProfileError.self) { try ExperimentProfile(named: "huge") }
    }

    @Test("the minimum tumor volume becomes whole voxels of the profile's spacing, rounded up")
    func minimumTumorVoxels() {
        var profile = ExperimentProfile.cpu
        profile.inference.minimumTumorVolume = 0
        #expect(profile.segmentationRule.minimumVoxels == 0)
        profile.inference.minimumTumorVolume = 27 * 20
        #expect(profile.segmentationRule.minimumVoxels == 20)
        profile.inference.minimumTumorVolume = 27 * 20 + 1
        #expect(profile.segmentationRule.minimumVoxels == 21)
        #expect(ExperimentProfile.paper.segmentationRule.minimumVoxels == 0)
    }

    @Test("the paper profile holds Table 1's values")
    func paperValues() {
        let paper = ExperimentProfile.paper
        #expect(
            paper.network.levels == 5 && paper.network.channels(atLevel: 0) == 32
                && paper.network.channels(atLevel: 4) == 512)
        #expect(paper.training.patchEdge == 128 && paper.training.patchesPerImage == 2)
        #expect(paper.training.foregroundFraction == 1.0 / 3.0)
        #expect(paper.training.learningRate == 1e-3 && paper.training.weightDecay == 2e-5)
        #expect(paper.training.maximumEpochs == 500 && paper.training.patience == 50)
        #expect(paper.inference.windowEdge == 128 && paper.inference.overlap == 0.75 && paper.inference.passes == 10)
        #expect(
            paper.activeLearning.initialCount == 40 && paper.activeLearning.candidateCount == 100
                && paper.activeLearning.queryCount == 50 && paper.activeLearning.bootstrapMembers == 4)
    }

    @Test("a job's fields left out take the profile's values, set fields win, 0 and false included")
    func trainingConfigFallsBack() {
        let profile = ExperimentProfile.cpu
        var parameters = HyperParameters()
        parameters.maxEpochs = 7
        let config = profile.trainingConfig(parameters, trainingCases: 6, seed: 9)
        #expect(config.maximumEpochs == 7)
        #expect(config.patience == profile.training.patience)
        #expect(config.patchSize == [Int](repeating: profile.training.patchEdge, count: 3))
        #expect(config.foregroundFraction == 2.0 / 3.0)
        #expect(config.iterationsPerEpoch == profile.training.iterationsPerEpoch && config.iterationsPerEpoch != nil)
        #expect(config.selection == .finalEpoch)
        #expect(config.seed == 9)
        #expect(config.augmentation == Augmentation(), "a partial override keeps the profile's augmentation")
        #expect(profile.dropoutRate(parameters) == profile.training.dropoutRate)
        parameters.augment = false
        parameters.dropoutRate = 0
        parameters.momentum = 0
        let plain = profile.trainingConfig(parameters, trainingCases: 6, seed: 9)
        #expect(plain.augmentation == .none && plain.momentum == 0)
        #expect(profile.dropoutRate(parameters) == 0, "no dropout can be asked for")
    }

    @Test("the cpu profile's larger training sets get proportionally more steps per epoch")
    func stepsPerEpochGrowWithTheTrainingSet() {
        let training = ExperimentProfile.cpu.training
        #expect(training.iterationsPerEpoch(forTrainingCases: 6) == 15)
        #expect(training.iterationsPerEpoch(forTrainingCases: 10) == 15)
        #expect(training.iterationsPerEpoch(forTrainingCases: 11) == 17, "1.5 × 11 rounded up")
        #expect(training.iterationsPerEpoch(forTrainingCases: 40) == 60)
        #expect(
            ExperimentProfile.cpu.trainingConfig(ExperimentProfile.cpu.hyperParameters, trainingCases: 26, seed: 1)
                .iterationsPerEpoch == 39)
        var fixed = training
        fixed.iterationsPerTrainingCase = nil
        #expect(fixed.iterationsPerEpoch(forTrainingCases: 40) == 15)
        fixed.iterationsPerEpoch = nil
        #expect(fixed.iterationsPerEpoch(forTrainingCases: 40) == nil, "patches per case instead")
    }

    @Test("dropout-train-test trains with dropout; the other methods only sample with it")
    func dropoutMode() {
        #expect(ExperimentProfile.tiny.network(dropout: .train, rate: 0.3).dropoutMode == .trainAndTest)
        #expect(ExperimentProfile.tiny.network(dropout: .off, rate: 0.3).dropoutMode == .testOnly)
        #expect(ExperimentProfile.tiny.network(dropout: .off, rate: 0.3).dropoutRate == 0.3)
    }
}

extension ExperimentProfile: CustomTestStringConvertible {
    public var testDescription: String { name.rawValue }
}
