import Foundation
import Store

extension PostgresTransaction {
    /// Stores the feature vector of an annotated case in a round, without a score: the non-similar
    /// restriction compares the round's candidates with it, and it is no candidate itself.
    func insertFeatures(experimentID: UUID, roundIndex: Int, caseID: UUID, datasetID: UUID, vector: [Float]) async throws {
        try await query("""
            INSERT INTO features (experiment_id, round_index, case_id, dataset_id, vector)
            VALUES (\(experimentID), \(roundIndex), \(caseID), \(datasetID), \(vector))
            """)
    }
}
