import Neural

extension ExperimentProfile {
    /// A demo on two CPU cores: a four-strategy comparison finishes in about half an hour while the
    /// model still learns to find the tumor.
    ///
    /// Measured (release build, two shared cores, synthetic phantom cases of 52–64 × 70–79 × 47–56
    /// voxels): one epoch on 5 training cases (10 patches of 32³) plus 1 validation case takes
    /// 0.6 s, about 0.06 s per SGD step. With n = 8 and k = 8 over 4 rounds the training sets hold
    /// 6, 13, 19, 26 and 32 cases, 96 in all, so one strategy trains in at most ≈ 96 × 0.12 s × 30
    /// epochs ≈ 6 min, less where early stopping fires.
    public static let cpu = ExperimentProfile(
        name: "cpu",
        // 2.5 mm: a skull-stripped brain crops to about 56×68×56 voxels, near 64³, where a
        // contrast-enhancing tumor still spans several voxels.
        targetSpacing: 2.5,
        // Acquisition voxels of 2–2.4 mm, so resampling to 2.5 mm averages rather than invents detail.
        syntheticSpacingScale: 2,
        // Four levels of 8–64 channels: a 32³ patch reaches a 4³ bottleneck, enough context for a
        // tumor at this resolution; 8 base channels keep one training step near a tenth of a
        // second on two cores.
        network: UNet3DConfig(levels: 4, baseChannels: 8, groupNormGroups: 4),
        training: TrainingSettings(
            // 30 epochs with patience 8: bounds a strategy's training time (see above) while small
            // sets still reach their plateau.
            maximumEpochs: 30, patience: 8,
            // 32³ divides by the divisor 8 and covers about an eighth of a case, like the paper's
            // 128³ patches of a 1 mm brain.
            patchEdge: 32, patchesPerImage: 2,
            // Ten times the paper's rate, because the run is about ten times shorter.
            learningRate: 1e-2, weightDecay: 2e-5, momentum: 0.9,
            warmRestartPeriod: 8, batchSize: 1, dropoutRate: 0.5, augment: true),
        // A ~64³ case fits one whole-volume pass; T = 10 as in the paper (only the layers after the
        // dropout run once per pass).
        inference: InferenceSettings(windowEdge: nil, overlap: 0.75, passes: 10),
        // Scaled down from the paper's 40/100/50 for a cohort of about a hundred cases, keeping its
        // K = 2k.
        activeLearning: ActiveLearningDefaults(initialCount: 8, candidateCount: 16, queryCount: 8, rounds: 4,
                                               bootstrapMembers: 4, topFraction: 0.001, validationFraction: 0.2))
}
