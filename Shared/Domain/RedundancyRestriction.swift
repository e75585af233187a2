/// How the k cases are picked among the top-K most uncertain, so that one round does not spend its
/// annotations on near-duplicates: the paper's annotation redundancy restriction.
///
/// The raw values are the names people type, the report prints and the `experiments.restriction`
/// column's CHECK accepts.
public enum RedundancyRestriction: String, Sendable, Hashable, Codable, CaseIterable {
    /// The k most uncertain, in score order.
    case none
    /// Greedy maximum set cover (Yang et al. 2017): the k cases that best represent the top-K.
    case representative
    /// The cases least similar to what is annotated already and to each other.
    case nonSimilar = "non-similar"
}
