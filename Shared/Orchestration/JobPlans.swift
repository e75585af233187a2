import Domain
import Foundation

/// One training job the state machine plans: a round's model, one bootstrap member, or one member
/// of the full-data reference.
public struct TrainingPlan: Sendable, Hashable {
    /// Identifies the work; recording the plan twice keeps one job.
    public var key: String
    public var round: Int
    /// The ensemble member (bootstrap or reference), or nil for a round's single model.
    public var member: Int?
    /// In the seeded order the trainer keeps (its patch sampling and bootstrap resample follow it).
    public var trainingCases: [CaseID]
    /// Held out for early stopping.
    public var validationCases: [CaseID]
    public var seed: UInt64
}

/// One score job the state machine plans: a pool case's uncertainty and features, an annotated
/// case's features (for the non-similar restriction), or a test case's Dice.
public struct ScoringPlan: Sendable, Hashable {
    public var key: String
    /// The round the result belongs to.
    public var round: Int
    public var caseID: CaseID
    /// What the scorer records for the case.
    public var role: CaseRole
    public var seed: UInt64
}
