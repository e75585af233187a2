/// What an experiment runs, fixed when it is created: the strategy and its restriction, the
/// paper's n, K and k, how many rounds and whether to stop at equivalence, the strategy's own
/// size (T passes or ensemble members), the seed of the repetition and the profile every job is
/// sized by.
///
/// The orchestration core plans every round from this alone; the stored experiment adds where it
/// stands (status, failure, first equivalent round) around it.
public struct ExperimentDesign: Sendable, Hashable {
    public var strategy: Strategy
    public var restriction: RedundancyRestriction
    /// n: cases in the random initial set.
    public var initialCount: Int
    /// K: uncertain candidates the restriction considers.
    public var candidateCount: Int
    /// k: cases annotated per round.
    public var queryCount: Int
    /// Rounds after round 0.
    public var maxRounds: Int
    public var stopAtEquivalence: Bool
    /// T, for the dropout strategies only.
    public var dropoutPasses: Int?
    /// Ensemble size, for the bootstrap strategy only.
    public var bootstrapMembers: Int?
    /// The repetition's seed: it fixes the initial set and every job's seed.
    public var seed: Int64
    /// The size of every job.
    public var profile: ProfileName

    public init(
        strategy: Strategy, restriction: RedundancyRestriction, initialCount: Int, candidateCount: Int,
        queryCount: Int, maxRounds: Int, stopAtEquivalence: Bool, dropoutPasses: Int?, bootstrapMembers: Int?,
        seed: Int64, profile: ProfileName
    ) {
        self.strategy = strategy
        self.restriction = restriction
        self.initialCount = initialCount
        self.candidateCount = candidateCount
        self.queryCount = queryCount
        self.maxRounds = maxRounds
        self.stopAtEquivalence = stopAtEquivalence
        self.dropoutPasses = dropoutPasses
        self.bootstrapMembers = bootstrapMembers
        self.seed = seed
        self.profile = profile
    }
}
