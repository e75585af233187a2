import Foundation

/// What the orchestrator does next for a running experiment's current round, as decided by
/// ``ExperimentStateMachine/step(for:)``. Each step other than `wait` is carried out as one
/// transaction that moves the round on and records the jobs it needs.
public enum RoundStep: Sendable, Hashable {
    /// Nothing to do until jobs finish or labels arrive.
    case wait(WaitReason)
    /// Round 0: draw the seeded random initial set and annotate it.
    case selectInitialSet
    /// Round 0's annotations show too few tumors (``ColdStart``): pick the next case of the
    /// initial draw.
    case extendInitialSet
    /// A later round: ask the selector for the next cases from the stored scores and features.
    case selectFromScores
    /// The picked cases are annotated: train the round's model (or ensemble members).
    case startTraining
    /// The round's models exist: score the test split for Dice.
    case startEvaluation
    /// The full-data reference is trained but not evaluated: score the test split with it.
    case evaluateReference
    /// Every test case is scored: test equivalence with the full-data model and finish the round.
    case testEquivalence
    /// Every test case is scored and there is no full-data model: summarise the round's Dice and
    /// finish the round, not equivalent.
    case finishWithoutReference
    /// A job failed for good; the experiment cannot go on.
    case fail(reason: String)

    /// Why a round waits.
    public enum WaitReason: Sendable, Hashable {
        case jobs(outstanding: Int)
        case labels(missing: Int)
        case reference
    }
}
