/// Case-level uncertainty scores of the query strategies (higher = more uncertain = queried first).
///
/// The sampling-based scores take the population variance map Var_t(p_t(v)) of the T sigmoid
/// probability maps (MC-dropout passes or bootstrap members), which the inference accumulates as it
/// produces the maps (Neural's `UncertaintyMaps`).
public enum UncertaintyScore {
    /// MC dropout (`dropout-train-test`, `dropout-test`): u = mean of the top `fraction` of the
    /// voxel-wise variance over T stochastic passes (paper: top 0.1%).
    public static func mcDropout(variance: [Float], fraction: Double = 0.001) throws -> Double {
        try VoxelAggregation.topFraction(fraction).aggregate(variance)
    }

    /// Bootstrap ensemble: the voxel-wise variance over the members' maps; the paper averages it
    /// over all voxels (`.mean`), `.topFraction` is the MC-dropout rule.
    public static func bootstrap(variance: [Float], aggregation: VoxelAggregation = .mean) throws -> Double {
        try aggregation.aggregate(variance)
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
}
