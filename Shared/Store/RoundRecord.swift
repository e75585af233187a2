import Domain
import Foundation

/// Round r of an experiment as the `rounds` table holds it.
public struct RoundRecord: Sendable, Hashable {
    /// What a finished round measured.
    public struct Outcome: Sendable, Hashable {
        /// Cases its model was trained on.
        public var annotatedCount: Int
        /// Mean test-split Dice of its model.
        public var meanDice: Double
        /// TOST p-value against the full-data model; nil where the dataset has none (an unlabelled
        /// training pool under human annotation), and then the round is not equivalent.
        public var tostP: Double?
        public var equivalent: Bool

        public init(annotatedCount: Int, meanDice: Double, tostP: Double?, equivalent: Bool) {
            self.annotatedCount = annotatedCount
            self.meanDice = meanDice
            self.tostP = tostP
            self.equivalent = equivalent
        }
    }

    public var experimentID: ExperimentID
    public var index: Int
    public var phase: RoundPhase
    public var startedAt: Date
    public var phaseChangedAt: Date
    /// Set once the round is finished.
    public var outcome: Outcome?

    public init(
        experimentID: ExperimentID, index: Int, phase: RoundPhase, startedAt: Date = Date(),
        phaseChangedAt: Date = Date(), outcome: Outcome? = nil
    ) {
        self.experimentID = experimentID
        self.index = index
        self.phase = phase
        self.startedAt = startedAt
        self.phaseChangedAt = phaseChangedAt
        self.outcome = outcome
    }
}
