import Foundation
import Store

/// One row of `case list`: a case's state as the `cases` table holds it.
struct CaseSummary: Codable, Sendable, Equatable {
    var id: UUID
    var dataset: String
    var datasetID: UUID
    /// The case's name in its source (folder or manifest row).
    var name: String
    var patient: String
    /// `ingested` or `failed`.
    var state: String
    /// Why ingest rejected the case, for a failed case.
    var failureReason: String?
    /// `train` or `test`, for an ingested case.
    var split: String?
    var labelled: Bool

    init(_ row: PostgresRow) throws {
        id = try row.decode("id")
        datasetID = try row.decode("dataset_id")
        dataset = try row.decode("dataset_name")
        name = try row.decode("source_name")
        patient = try row.decode("patient_id")
        state = try row.decode("state")
        failureReason = try row.decode("failure_reason", as: String?.self)
        split = try row.decode("split", as: String?.self)
        labelled = try row.decode("labelled")
    }

    /// The cases that match every filter given (all when none is), ordered by dataset and name.
    static func matching(
        _ client: PostgresClient, id: UUID? = nil, dataset: UUID? = nil, state: String? = nil
    )
        async throws -> [CaseSummary]
    {
        try await client.query(
            """
            SELECT c.id, c.dataset_id, d.name AS dataset_name, c.source_name, c.patient_id, c.state, c.failure_reason,
                   c.split, c.label_sha256 IS NOT NULL AS labelled
            FROM cases c JOIN datasets d ON d.id = c.dataset_id
            WHERE (\(id)::uuid IS NULL OR c.id = \(id))
              AND (\(dataset)::uuid IS NULL OR c.dataset_id = \(dataset))
              AND (\(state)::text IS NULL OR c.state = \(state))
            ORDER BY d.name, c.source_name
            """
        ).map(CaseSummary.init)
    }
}
