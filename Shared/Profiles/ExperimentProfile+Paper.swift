import Neural

extension ExperimentProfile {
    /// The configuration of Kim et al. (J Digit Imaging 2024, Table 1); GPU-scale.
    public static let paper = ExperimentProfile(
        name: .paper,
        // The paper resamples to 1 mm isotropic.
        targetSpacing: 1,
        // BraTS-like acquisitions (0.9–1.2 mm).
        syntheticSpacingScale: 1,
        // Five levels, 32 to 512 channels, as in Table 1.
        network: UNet3DConfig(levels: 5, baseChannels: 32, groupNormGroups: 8),
        // bfloat16 convolutions with float32 accumulation, as GPU training of this network would
        // use mixed precision; on these cores they run at up to twice the float32 rate.
        precision: .bf16,
        training: TrainingSettings(
            // Early stop after 50 epochs without improvement, at most 500.
            maximumEpochs: 500, patience: 50,
            // Two random 128³ patches per image per epoch.
            patchEdge: 128, patchesPerImage: 2,
            // SGD, lr 1e-3, weight decay 2e-5; the paper does not state momentum, 0.9 is the
            // common choice for SGD on U-Nets.
            learningRate: 1e-3, weightDecay: 2e-5, momentum: 0.9,
            // The paper names cosine annealing with warm restarts but not its period; one cycle per
            // patience window restarts the rate about as often as early stopping looks back.
            warmRestartPeriod: 50, batchSize: 1, dropoutRate: 0.5,
            // Scaling, rotation and flipping.
            augment: true),
        // Whole images by sliding 128³ windows at 75% overlap; T = 10 dropout passes.
        inference: InferenceSettings(windowEdge: 128, overlap: 0.75, passes: 10),
        // n = 40, K = 100, k = 50; the paper's code trains 4 bootstrap members; top 0.1% variance.
        // One full-data model, as the paper trains it; each further member would cost another
        // run of up to 500 epochs.
        activeLearning: ActiveLearningDefaults(
            initialCount: 40, candidateCount: 100, queryCount: 50, rounds: 10,
            bootstrapMembers: 4, topFraction: 0.001, validationFraction: 0.2))
}
