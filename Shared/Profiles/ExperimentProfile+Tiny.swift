import Neural

extension ExperimentProfile {
    /// For tests: a round trains and scores in seconds on two cores, and the model still moves.
    public static let tiny = ExperimentProfile(
        name: .tiny,
        // 5 mm turns a synthetic head into a volume of about 32³ voxels.
        targetSpacing: 5,
        // Acquisition voxels of 4–5 mm: generating and resampling stay cheap, and no detail is lost
        // that the 5 mm grid could show.
        syntheticSpacingScale: 4,
        // Two levels of 8 and 16 channels: the smallest U-Net that still has a bottleneck for
        // features; 4 groups keep two channels per GroupNorm group at level 0.
        network: UNet3DConfig(levels: 2, baseChannels: 8, groupNormGroups: 4),
        // fp32, so that the end-to-end tests' models follow the PyTorch-checked arithmetic exactly.
        precision: .fp32,
        training: TrainingSettings(
            // Twenty epochs without early stopping: about two seconds per model on two cores, and
            // enough for the full-data model to find some tumors, so the equivalence test has a
            // reference Dice with spread and an experiment runs to its end.
            maximumEpochs: 20, patience: 20,
            // 16³ patches divide by the 2-level network's divisor 2 and fit a 32³ case four times.
            patchEdge: 16, patchesPerImage: 2,
            // A higher rate than the paper's, so a short run visibly changes the weights.
            learningRate: 1e-2, weightDecay: 2e-5, momentum: 0.9,
            // A restart every three epochs keeps the rate high through the short run; with one slow
            // cosine decay over twenty epochs the tiny network stays at all-background.
            warmRestartPeriod: 3, batchSize: 1, dropoutRate: 0.5,
            // No augmentation: it only adds work that so short a run cannot profit from.
            augment: false),
        // A 32³ volume is one cheap pass; 4 dropout passes already give a non-zero variance.
        inference: InferenceSettings(windowEdge: nil, overlap: 0.75, passes: 4),
        // Small numbers that still exercise every branch of selection (K > k, several rounds) on a
        // cohort of about twenty cases; two members are the fewest an ensemble variance needs, and
        // a full-data reference of two exercises the ensemble the cpu profile tests against.
        activeLearning: ActiveLearningDefaults(
            initialCount: 4, candidateCount: 4, queryCount: 2, rounds: 2,
            bootstrapMembers: 2, topFraction: 0.001, validationFraction: 0.2, referenceMembers: 2))
}
