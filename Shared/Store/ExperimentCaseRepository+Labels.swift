import Domain
import Foundation

extension ExperimentCaseRepository {
    /// Stores a person's label as the case's label and marks the case annotated in `round`, as one
    /// statement, so neither happens without the other. Only a case picked in `round` and still
    /// waiting for its label changes; returns whether this one did.
    ///
    /// The label and its foreground voxel count go to the case row, not the experiment, because
    /// they are what the case shows: jobs name a case's artifacts from its row, and a label drawn
    /// once serves every later use.
    public static func annotate(
        _ caseID: CaseID, label sha256: String, labelVoxels: Int, round: Int,
        of experimentID: ExperimentID, on db: some PostgresQuerying
    ) async throws -> Bool {
        let rows = try await db.query(
            """
            WITH picked AS (
                UPDATE experiment_cases SET annotated_round = \(round)
                WHERE experiment_id = \(experimentID) AND case_id = \(caseID)
                  AND selected_round = \(round) AND annotated_round IS NULL
                RETURNING case_id
            )
            UPDATE cases SET label_sha256 = \(sha256), label_voxels = \(labelVoxels) FROM picked WHERE cases.id = picked.case_id
            """)
        return rows.affectedRows == 1
    }
}
