import Domain
import Foundation

/// Typed access to the `rounds` table.
///
/// Phase changes are compare-and-set: a change names the phase it leaves and does nothing when the
/// round is no longer there, so a transition repeated after a restart or raced by a late message
/// applies once.
public enum RoundRepository {
    private static let columns: StaticString = """
        experiment_id, round_index, phase, started_at, phase_changed_at, annotated_count, mean_dice, tost_p, equivalent
        """

    /// Opens round `index` in `phase`; returns false when the round exists already.
    @discardableResult
    public static func open(
        _ index: Int, of experimentID: ExperimentID, in phase: RoundPhase,
        on db: some PostgresQuerying
    ) async throws -> Bool {
        try await db.query(
            """
            INSERT INTO rounds (experiment_id, round_index, phase) VALUES (\(experimentID), \(index), \(phase.rawValue))
            ON CONFLICT DO NOTHING
            """
        ).affectedRows == 1
    }

    /// The experiment's latest round, or nil before round 0.
    public static func latest(of experimentID: ExperimentID, on db: some PostgresQuerying) async throws -> RoundRecord?
    {
        try await db.query(
            """
            SELECT \(sql: columns) FROM rounds WHERE experiment_id = \(experimentID)
            ORDER BY round_index DESC LIMIT 1
            """
        ).first.map(record)
    }

    /// Every round of the experiment, in order.
    public static func rounds(of experimentID: ExperimentID, on db: some PostgresQuerying) async throws -> [RoundRecord]
    {
        try await db.query(
            """
            SELECT \(sql: columns) FROM rounds WHERE experiment_id = \(experimentID) ORDER BY round_index
            """
        ).map(record)
    }

    /// Moves the round from `expected` to `phase` (not to `.finished`: see ``finish(_:of:outcome:on:)``);
    /// returns false, changing nothing, when the round is not in `expected`.
    @discardableResult
    public static func advance(
        _ index: Int, of experimentID: ExperimentID, from expected: RoundPhase,
        to phase: RoundPhase, on db: some PostgresQuerying
    ) async throws -> Bool {
        precondition(phase != .finished, "a round is finished with its outcome")
        return try await db.query(
            """
            UPDATE rounds SET phase = \(phase.rawValue), phase_changed_at = greatest(now(), started_at)
            WHERE experiment_id = \(experimentID) AND round_index = \(index) AND phase = \(expected.rawValue)
            """
        ).affectedRows == 1
    }

    /// Finishes an evaluating round with what it measured; returns false when it is not evaluating.
    @discardableResult
    public static func finish(
        _ index: Int, of experimentID: ExperimentID, outcome: RoundRecord.Outcome,
        on db: some PostgresQuerying
    ) async throws -> Bool {
        try await db.query(
            """
            UPDATE rounds
            SET phase = 'finished', phase_changed_at = greatest(now(), started_at), finished_at = greatest(now(), started_at),
                annotated_count = \(outcome.annotatedCount), mean_dice = \(outcome.meanDice),
                tost_p = \(outcome.tostP), equivalent = \(outcome.equivalent)
            WHERE experiment_id = \(experimentID) AND round_index = \(index) AND phase = 'evaluating'
            """
        ).affectedRows == 1
    }

    private static func record(_ row: PostgresRow) throws -> RoundRecord {
        let outcome: RoundRecord.Outcome? = try row.decode("annotated_count", as: Int?.self).map { count in
            RoundRecord.Outcome(
                annotatedCount: count, meanDice: try row.decode("mean_dice"),
                tostP: try row.decode("tost_p"), equivalent: try row.decode("equivalent"))
        }
        return RoundRecord(
            experimentID: try row.decode("experiment_id"), index: try row.decode("round_index"),
            phase: try row.decode("phase"), startedAt: try row.decode("started_at"),
            phaseChangedAt: try row.decode("phase_changed_at"), outcome: outcome)
    }
}
