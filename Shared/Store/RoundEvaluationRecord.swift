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

extension PostgresClient {
    /// The test Dice of every finished round of the experiment, in round order; a round still
    /// running, or finished without evaluations, is left out.
    public func finishedRoundEvaluations(of experimentID: ExperimentID) async throws -> [RoundEvaluationRecord] {
        var rounds: [Int: RoundEvaluationRecord] = [:]
        for row in try await query(
            """
            SELECT r.round_index, r.annotated_count, e.case_id, avg(e.dice) AS dice
            FROM rounds r
            JOIN models m ON m.experiment_id = r.experiment_id AND m.round_index = r.round_index
            JOIN evaluations e ON e.model_id = m.id
            WHERE r.experiment_id = \(experimentID) AND r.phase = 'finished'
            GROUP BY r.round_index, r.annotated_count, e.case_id
            """)
        {
            let index: Int = try row.decode("round_index")
            let annotatedCount: Int = try row.decode("annotated_count")
            var round =
                rounds[index] ?? RoundEvaluationRecord(roundIndex: index, annotatedCount: annotatedCount, dice: [:])
            round.dice[try row.decode("case_id")] = try row.decode("dice")
            rounds[index] = round
        }
        return rounds.keys.sorted().map { rounds[$0]! }
    }
}
