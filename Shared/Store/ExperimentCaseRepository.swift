import Domain
import Foundation

/// Typed access to the `experiment_cases` table: which training cases each experiment picked, and
/// which of them are annotated.
public enum ExperimentCaseRepository {
    /// Records the cases picked in `round`, ranked in the given order from `firstRank` (a round's
    /// later picks follow its earlier ones), annotated in that same round when `annotated` (labels
    /// revealed). A case recorded before keeps its first record.
    public static func recordPicks(
        _ caseIDs: [CaseID], round: Int, of experimentID: ExperimentID, datasetID: DatasetID,
        annotated: Bool, firstRank: Int = 0, on db: some PostgresQuerying
    ) async throws {
        let annotatedRound: Int? = annotated ? round : nil
        for (rank, caseID) in zip(firstRank..., caseIDs) {
            try await db.query(
                """
                INSERT INTO experiment_cases (experiment_id, case_id, dataset_id, selected_round, selection_rank, annotated_round)
                VALUES (\(experimentID), \(caseID), \(datasetID), \(round), \(rank), \(annotatedRound))
                ON CONFLICT (experiment_id, case_id) DO NOTHING
                """)
        }
    }

    /// Marks cases picked in `round` as annotated in it; returns the ids that changed (cases picked
    /// in another round, or annotated already, are left as they were).
    public static func markAnnotated(
        _ caseIDs: [CaseID], round: Int, of experimentID: ExperimentID,
        on db: some PostgresQuerying
    ) async throws -> [CaseID] {
        var changed: [CaseID] = []
        for caseID in caseIDs {
            let rows = try await db.query(
                """
                UPDATE experiment_cases SET annotated_round = \(round)
                WHERE experiment_id = \(experimentID) AND case_id = \(caseID)
                  AND selected_round = \(round) AND annotated_round IS NULL
                """)
            if rows.affectedRows == 1 { changed.append(caseID) }
        }
        return changed
    }

    /// Every case the experiment picked, by round and rank.
    public static func selections(
        of experimentID: ExperimentID, on db: some PostgresQuerying
    ) async throws
        -> [ExperimentCaseRecord]
    {
        try await db.query(
            """
            SELECT experiment_id, case_id, selected_round, selection_rank, annotated_round FROM experiment_cases
            WHERE experiment_id = \(experimentID) ORDER BY selected_round, selection_rank
            """
        ).map(record)
    }

    /// Every experiment's pick of the case, in no particular order; none while no experiment
    /// picked it.
    public static func picks(of caseID: CaseID, on db: some PostgresQuerying) async throws -> [ExperimentCaseRecord] {
        try await db.query(
            """
            SELECT experiment_id, case_id, selected_round, selection_rank, annotated_round FROM experiment_cases
            WHERE case_id = \(caseID)
            """
        ).map(record)
    }

    private static func record(_ row: PostgresRow) throws -> ExperimentCaseRecord {
        ExperimentCaseRecord(
            experimentID: try row.decode("experiment_id"), caseID: try row.decode("case_id"),
            selectedRound: try row.decode("selected_round"),
            selectionRank: try row.decode("selection_rank"),
            annotatedRound: try row.decode("annotated_round", as: Int?.self))
    }
}
