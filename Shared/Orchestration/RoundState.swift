import Domain

/// What the state machine needs to know about an experiment's current round: its phase, how the
/// jobs of that phase stand, how many picked cases still wait for a label, and what the annotated
/// labels hold.
public struct RoundState: Sendable, Hashable {
    public var index: Int
    public var phase: RoundPhase
    /// The jobs the current phase waits for.
    public var jobs: JobTally
    /// Cases picked in this round without a label yet (human annotation).
    public var missingLabels: Int
    /// The full-data reference every round is tested against.
    public var reference: ReferenceState
    /// The foreground voxels of each annotated case's label (nil where not counted), which the
    /// cold start reads in round 0.
    public var annotatedLabelVoxels: [Int?]
    /// Training cases not picked yet.
    public var poolCount: Int

    public init(
        index: Int, phase: RoundPhase, jobs: JobTally = JobTally(), missingLabels: Int = 0,
        reference: ReferenceState = .ready, annotatedLabelVoxels: [Int?] = [], poolCount: Int = 0
    ) {
        self.index = index
        self.phase = phase
        self.jobs = jobs
        self.missingLabels = missingLabels
        self.reference = reference
        self.annotatedLabelVoxels = annotatedLabelVoxels
        self.poolCount = poolCount
    }
}

/// How far the full-data reference of the experiment's dataset and profile is: the ensemble of its
/// profile's reference members. It is shared by every experiment on them, trained once and
/// evaluated once on the test split.
public enum ReferenceState: Sendable, Hashable {
    /// A member's training job has not finished.
    case training
    /// Every member is trained, and no evaluation of the ensemble is under way.
    case unevaluated
    /// Its test-split evaluation jobs are running.
    case evaluating
    /// Every test case has its Dice.
    case ready
    /// Its training or evaluation failed for good.
    case failed(reason: String)
    /// None can exist: the training split was not labelled when the experiment started (human
    /// annotation of a new pool), so rounds finish without an equivalence test.
    case unavailable
}
