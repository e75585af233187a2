/// The uncertainty sampling strategy of an experiment: how a round ranks the unlabelled pool
/// before the ``RedundancyRestriction`` picks among the most uncertain (Kim et al. 2024, Table 3).
///
/// These are the strategies the product runs end to end; the raw values are the names people type,
/// the report prints and the `experiments.strategy` and `scores.method` columns' CHECKs accept.
public enum Strategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Seeded random query, the baseline every other strategy is measured against.
    case random
    /// Dropout on the last decoder convolution in training and at inference; variance over T passes.
    case dropoutTrainTest = "dropout-train-test"
    /// The same dropout at inference only, on a model trained without it.
    case dropoutTest = "dropout-test"
    /// Variance across the members of a bootstrap ensemble.
    case bootstrap
    /// Closeness of the probability map to 0.5: its negative mean distance from it.
    case margins

    /// Whether the strategy ranks the pool; random query does not, so it takes no restriction and
    /// its rounds score nothing.
    public var ranksPool: Bool { self != .random }

    /// Whether scoring runs T stochastic forward passes with dropout on.
    public var usesDropoutPasses: Bool { self == .dropoutTrainTest || self == .dropoutTest }
}
