import ActiveLearning
import Domain
import Neural
import Proto

/// Everything that sizes a run, chosen as one named profile so a test, a CPU demo and the paper's
/// configuration run the same code: the preprocessing grid, the network, training, inference and
/// the active-learning defaults.
///
/// The orchestrator copies a profile's defaults into each job (`hyperParameters`, passes, top
/// fraction), so a job is self-contained and a worker never has to agree with the orchestrator on
/// a profile's values; the worker uses the profile only for what a job does not carry (the network
/// shape and the inference strategy).
public struct ExperimentProfile: Sendable, Hashable {
    /// The name stored in the `experiments` and `models` tables.
    public var name: ProfileName
    /// Voxel edge in mm that ingest resamples every case to.
    public var targetSpacing: Double
    /// `SyntheticCohort`'s spacing scale whose images suit `targetSpacing`: acquisition voxels of
    /// about `spacingScale` mm keep synthetic data from being resampled far below its resolution.
    public var syntheticSpacingScale: Double
    /// The network every job of the profile trains; dropout is set per job (`network(dropout:)`).
    public var network: UNet3DConfig
    /// The arithmetic of the network's convolutions in training and inference (`UNet3D.precision`).
    public var precision: Precision
    public var training: TrainingSettings
    public var inference: InferenceSettings
    public var activeLearning: ActiveLearningDefaults

    public init(
        name: ProfileName, targetSpacing: Double, syntheticSpacingScale: Double, network: UNet3DConfig,
        precision: Precision, training: TrainingSettings, inference: InferenceSettings,
        activeLearning: ActiveLearningDefaults
    ) {
        self.name = name
        self.targetSpacing = targetSpacing
        self.syntheticSpacingScale = syntheticSpacingScale
        self.network = network
        self.precision = precision
        self.training = training
        self.inference = inference
        self.activeLearning = activeLearning
    }

    /// Every profile, for listings and for tests that check all of them.
    public static let all: [ExperimentProfile] = [.tiny, .cpu, .paper]

    /// The profile of a name.
    public init(_ name: ProfileName) {
        switch name {
        case .paper: self = .paper
        case .cpu: self = .cpu
        case .tiny: self = .tiny
        }
    }

    /// The profile a job or experiment names; fails for `.unspecified` (which the contract rejects,
    /// because the cost of a run differs by orders of magnitude between profiles).
    public init(_ profile: Proto.Profile) throws(ProfileError) {
        guard let name = ProfileName(profile) else {
            throw ProfileError(code: .unspecified, detail: "profile \(profile) names no profile")
        }
        self.init(name)
    }

    /// The profile a person or a checkpoint's metadata names.
    public init(named name: String) throws(ProfileError) {
        guard let profile = ProfileName(rawValue: name) else {
            let names = ProfileName.allCases.map(\.rawValue).joined(separator: ", ")
            throw ProfileError(code: .unknownName, detail: "no profile is named '\(name)'; expected one of \(names)")
        }
        self.init(profile)
    }

    /// The contract's enum value for this profile.
    public var proto: Proto.Profile { Proto.Profile(name) }

    /// The network with the job's dropout mode: dropout-train-test trains with the layer active;
    /// every other method trains without it, and dropout-test switches it on at inference only.
    public func network(dropout mode: Proto.DropoutMode, rate: Float) -> UNet3DConfig {
        var config = network
        config.dropoutRate = rate
        config.dropoutMode = mode == .train ? .trainAndTest : .testOnly
        return config
    }

    /// The profile's optimisation settings in the contract's shape, for the orchestrator to put
    /// into train jobs.
    public var hyperParameters: HyperParameters {
        var parameters = HyperParameters()
        parameters.learningRate = training.learningRate
        parameters.weightDecay = training.weightDecay
        parameters.momentum = training.momentum
        parameters.maxEpochs = UInt32(training.maximumEpochs)
        parameters.earlyStopPatience = UInt32(training.patience)
        parameters.patchesPerImage = UInt32(training.patchesPerImage)
        parameters.patchEdge = UInt32(training.patchEdge)
        parameters.warmRestartPeriod = UInt32(training.warmRestartPeriod)
        parameters.dropoutRate = training.dropoutRate
        parameters.augment = training.augment
        return parameters
    }

    /// Neural's training configuration for a job's `parameters` and its `trainingCases` (which
    /// size the steps per epoch, ``TrainingSettings/iterationsPerEpoch(forTrainingCases:)``),
    /// seeded by the job. A field the parameters leave out takes the profile's value.
    public func trainingConfig(_ parameters: HyperParameters, trainingCases: Int, seed: UInt64) -> TrainingConfig {
        let edge = parameters.hasPatchEdge ? Int(parameters.patchEdge) : training.patchEdge
        let learningRate = parameters.hasLearningRate ? parameters.learningRate : training.learningRate
        let period = parameters.hasWarmRestartPeriod ? parameters.warmRestartPeriod : UInt32(training.warmRestartPeriod)
        let augments = parameters.hasAugment ? parameters.augment : training.augment
        return TrainingConfig(
            maximumEpochs: parameters.hasMaxEpochs ? Int(parameters.maxEpochs) : training.maximumEpochs,
            patience: parameters.hasEarlyStopPatience ? Int(parameters.earlyStopPatience) : training.patience,
            patchSize: [edge, edge, edge],
            patchesPerCase: parameters.hasPatchesPerImage ? Int(parameters.patchesPerImage) : training.patchesPerImage,
            iterationsPerEpoch: training.iterationsPerEpoch(forTrainingCases: trainingCases),
            batchSize: training.batchSize,
            selection: training.selection,
            validationInterval: training.validationInterval,
            foregroundFraction: training.foregroundFraction,
            schedule: .cosineWarmRestarts(
                base: learningRate, t0: Double(period), tMult: 1, minimum: 0, warmupEpochs: 0),
            momentum: Float(parameters.hasMomentum ? parameters.momentum : training.momentum),
            weightDecay: Float(parameters.hasWeightDecay ? parameters.weightDecay : training.weightDecay),
            augmentation: augments ? Augmentation() : .none,
            seed: seed)
    }

    /// The decoder dropout rate a job's `parameters` ask for, else the profile's.
    public func dropoutRate(_ parameters: HyperParameters) -> Float {
        parameters.hasDropoutRate ? parameters.dropoutRate : training.dropoutRate
    }

    /// The inference strategy of the profile.
    public var predictor: Predictor {
        guard let edge = inference.windowEdge else { return Predictor(strategy: .wholeVolume) }
        return Predictor(strategy: .slidingWindow(SlidingWindow(size: [edge, edge, edge], overlap: inference.overlap)))
    }

    /// How evaluation and `model predict` turn a probability map on this profile's grid into a
    /// segmentation: the minimum tumor volume in voxels of `targetSpacing`.
    public var segmentationRule: SegmentationRule {
        let voxelVolume = targetSpacing * targetSpacing * targetSpacing
        return SegmentationRule(minimumVoxels: Int((inference.minimumTumorVolume / voxelVolume).rounded(.up)))
    }

    /// The foreground-aware cold start of round 0: a tumor counts when the evaluation would score
    /// it, at least the minimum tumor volume.
    public var coldStart: ColdStart {
        ColdStart(tumorShare: activeLearning.initialTumorShare, minimumTumorVoxels: segmentationRule.minimumVoxels)
    }
}
