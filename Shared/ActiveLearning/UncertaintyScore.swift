/// Case-level uncertainty scores of the query strategies (higher = more uncertain = queried first).
///
/// Each takes the sigmoid probability maps of one case; sampling-based scores take them through a
/// `SampleMapAccumulator`, so the scorer can add the T maps as it produces them.
public enum UncertaintyScore {
    /// MC dropout (`dropout-train-test`, `dropout-test`): with T stochastic passes p₁ … p_T,
    /// u = mean of the top `fraction` of Var_t(p_t(v)) over voxels v (population variance;
    /// paper: top 0.1%).
    public static func mcDropout(_ samples: SampleMapAccumulator, fraction: Double = 0.001) throws -> Double {
        try VoxelAggregation.topFraction(fraction).aggregate(try samples.varianceMap())
    }

    /// Bootstrap ensemble: the same voxel-wise variance over the n members' maps; the paper
    /// averages it over all voxels (`.mean`), `.topFraction` is the MC-dropout rule.
    public static func bootstrap(
        _ members: SampleMapAccumulator, aggregation: VoxelAggregation = .mean
    ) throws -> Double {
        try aggregation.aggregate(try members.varianceMap())
    }

    /// Margins: u = −mean_v |p(v) − 0.5|: near 0 when the probabilities sit at the decision
    /// threshold, −0.5 when every voxel is certain.
    public static func margin(_ probabilities: UnsafeBufferPointer<Float>) throws -> Double {
        guard !probabilities.isEmpty else {
            throw ActiveLearningError(.empty, subject: "probability map", detail: "has no voxels")
        }
        var sum = 0.0
        for p in probabilities { sum += Double(abs(p - 0.5)) }
        guard sum.isFinite else {
            throw ActiveLearningError(.nonFiniteValue, subject: "probability map", detail: "contains NaN or infinity")
        }
        return -sum / Double(probabilities.count)
    }

    public static func margin(_ probabilities: [Float]) throws -> Double {
        try probabilities.withUnsafeBufferPointer { try margin($0) }
    }

    /// Predictive entropy: u = aggregate of H(p̄(v)) with p̄ the mean over samples and
    /// H(p) = −p ln p − (1 − p) ln(1 − p). Total uncertainty, model and data together.
    public static func predictiveEntropy(
        _ samples: SampleMapAccumulator,
        aggregation: VoxelAggregation = .paperTopFraction
    ) throws -> Double {
        try aggregation.aggregate(try samples.predictiveEntropyMap())
    }

    /// BALD (Houlsby et al. 2011): u = aggregate of the mutual information
    /// I(v) = H(p̄(v)) − (1/T) Σ_t H(p_t(v)) between the prediction and the model parameters: the
    /// part of the uncertainty that more training data can remove. Needs an accumulator created
    /// with `tracksEntropy: true`.
    public static func bald(
        _ samples: SampleMapAccumulator,
        aggregation: VoxelAggregation = .paperTopFraction
    ) throws -> Double {
        try aggregation.aggregate(try samples.mutualInformationMap())
    }
}
