import Domain

/// A finished round's test Dice per case, as a report and a learning curve read it: its model's,
/// or the mean of its bootstrap members'.
public struct RoundEvaluationRecord: Sendable, Equatable {
    public var roundIndex: Int
    /// Cases annotated when the round's model trained.
    public var annotatedCount: Int
    public var dice: [CaseID: Double]

    public init(roundIndex: Int, annotatedCount: Int, dice: [CaseID: Double]) {
        self.roundIndex = roundIndex
        self.annotatedCount = annotatedCount
        self.dice = dice
    }
}
