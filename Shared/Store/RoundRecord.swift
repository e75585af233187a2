import Foundation

/// Round r of an experiment as the `rounds` table holds it.
public struct RoundRecord: Sendable, Hashable {
    /// The steps of a round in the order the schema allows: a later round first scores the pool
    /// with the previous round's models, round 0 starts at selecting its random initial set.
    public enum Phase: String, Sendable, Hashable, CaseIterable {
        case scoring, selecting, annotating, training, evaluating, finished
    }

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

    public var experimentID: UUID
    public var index: Int
    public var phase: Phase
    public var startedAt: Date
    public var phaseChangedAt: Date
    /// Set once the round is finished.
    public var outcome: Outcome?

    public init(experimentID: UUID, index: Int, phase: Phase, startedAt: Date = Date(),
                phaseChangedAt: Date = Date(), outcome: Outcome? = nil) {
        self.experimentID = experimentID
        self.index = index
        self.phase = phase
        self.startedAt = startedAt
        self.phaseChangedAt = phaseChangedAt
        self.outcome = outcome
    }
}
