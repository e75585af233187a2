import Neural

/// A profile's training defaults (the paper's Table 1 for `paper`).
public struct TrainingSettings: Sendable, Hashable {
    /// Upper bound on epochs.
    public var maximumEpochs: Int
    /// Epochs without a better validation Dice before training stops.
    public var patience: Int
    /// Edge of the cubic training patch; a multiple of the network's size divisor.
    public var patchEdge: Int
    /// Random patches per image and epoch (the paper: 2), when `iterationsPerEpoch` is nil.
    public var patchesPerImage: Int
    /// SGD steps per epoch on patches of randomly drawn cases (nnU-Net: 250); nil takes
    /// `patchesPerImage` patches of every training case.
    public var iterationsPerEpoch: Int?
    /// With `iterationsPerEpoch`: at least this many steps per epoch for each training case, so a
    /// larger training set gets a proportionally longer run than the smallest ones; nil keeps
    /// `iterationsPerEpoch` for every size.
    public var iterationsPerTrainingCase: Double?
    /// Which epoch's weights a training run keeps.
    public var selection: ModelSelection
    /// Epochs between validations when the final epoch is kept.
    public var validationInterval: Int
    /// Share of the patches centred on a tumor voxel; nnU-Net's third by default.
    public var foregroundFraction: Double
    public var learningRate: Double
    public var weightDecay: Double
    public var momentum: Double
    /// Epochs per cycle of cosine annealing with warm restarts.
    public var warmRestartPeriod: Int
    /// Patches per SGD step; above one the Dice term is pooled over the batch (`TrainingConfig`).
    public var batchSize: Int
    /// Drop probability of the decoder dropout layer of the dropout methods.
    public var dropoutRate: Float
    /// Random scaling, rotation and flipping of patches.
    public var augment: Bool

    public init(
        maximumEpochs: Int, patience: Int, patchEdge: Int, patchesPerImage: Int, learningRate: Double,
        weightDecay: Double, momentum: Double, warmRestartPeriod: Int, batchSize: Int, dropoutRate: Float,
        augment: Bool, foregroundFraction: Double = 1.0 / 3.0, iterationsPerEpoch: Int? = nil,
        iterationsPerTrainingCase: Double? = nil, selection: ModelSelection = .bestValidation,
        validationInterval: Int = 1
    ) {
        self.maximumEpochs = maximumEpochs
        self.patience = patience
        self.patchEdge = patchEdge
        self.patchesPerImage = patchesPerImage
        self.foregroundFraction = foregroundFraction
        self.iterationsPerEpoch = iterationsPerEpoch
        self.iterationsPerTrainingCase = iterationsPerTrainingCase
        self.selection = selection
        self.validationInterval = validationInterval
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.warmRestartPeriod = warmRestartPeriod
        self.batchSize = batchSize
        self.dropoutRate = dropoutRate
        self.augment = augment
    }

    /// SGD steps per epoch for a training set of `trainingCases`: `iterationsPerEpoch`, or
    /// `iterationsPerTrainingCase` per case (rounded up) where that is more; nil without
    /// `iterationsPerEpoch`.
    public func iterationsPerEpoch(forTrainingCases trainingCases: Int) -> Int? {
        guard let iterationsPerEpoch else { return nil }
        guard let perCase = iterationsPerTrainingCase else { return iterationsPerEpoch }
        return max(iterationsPerEpoch, Int((perCase * Double(trainingCases)).rounded(.up)))
    }
}

/// How a profile runs a trained network over a whole case.
public struct InferenceSettings: Sendable, Hashable {
    /// Edge of the sliding window; nil runs the whole (padded) volume in one pass.
    public var windowEdge: Int?
    /// Share of a window overlapping its neighbour (the paper: 75%).
    public var overlap: Double
    /// Stochastic forward passes T of the dropout methods.
    public var passes: Int
    /// Smallest tumor (mm³) a segmentation keeps: a case predicted with less tumor in all is
    /// segmented tumor-free (`SegmentationRule`); 0 keeps any.
    public var minimumTumorVolume: Double

    public init(windowEdge: Int?, overlap: Double, passes: Int, minimumTumorVolume: Double = 0) {
        self.windowEdge = windowEdge
        self.overlap = overlap
        self.passes = passes
        self.minimumTumorVolume = minimumTumorVolume
    }
}

/// A profile's default experiment sizes, which an experiment may override.
public struct ActiveLearningDefaults: Sendable, Hashable {
    /// Cases annotated at random in round 0 (n).
    public var initialCount: Int
    /// Most uncertain candidates handed to redundancy restriction (K).
    public var candidateCount: Int
    /// Cases annotated per round (k).
    public var queryCount: Int
    /// Rounds after round 0.
    public var rounds: Int
    /// Members of a bootstrap ensemble.
    public var bootstrapMembers: Int
    /// Models, differing only in their seed, whose mean probability map is the full-data reference
    /// every round is tested against. One full-data model's test Dice depends much on its seed at
    /// small scale; an ensemble narrows that as nnU-Net's ensemble of folds does. It is a property
    /// of the profile, not of an experiment, because every experiment on a dataset and profile
    /// shares the one reference.
    public var referenceMembers: Int
    /// Share of the variance map averaged into a dropout or bootstrap score (the paper: top 0.1%).
    public var topFraction: Double
    /// Share of the annotated cases held out for early stopping (the paper: 20%).
    public var validationFraction: Double
    /// Share of the initial count that must show a tumor before round 0 trains (``ColdStart``):
    /// half, so that with the validation cases held out the training cases still hold tumors.
    public var initialTumorShare: Double

    public init(
        initialCount: Int, candidateCount: Int, queryCount: Int, rounds: Int, bootstrapMembers: Int,
        topFraction: Double, validationFraction: Double, initialTumorShare: Double = 0.5, referenceMembers: Int = 1
    ) {
        self.initialCount = initialCount
        self.candidateCount = candidateCount
        self.queryCount = queryCount
        self.rounds = rounds
        self.bootstrapMembers = bootstrapMembers
        self.topFraction = topFraction
        self.validationFraction = validationFraction
        self.initialTumorShare = initialTumorShare
        self.referenceMembers = referenceMembers
    }
}
