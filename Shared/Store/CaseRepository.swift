import Domain
import Foundation

/// Typed access to the `cases` table.
///
/// Writes are idempotent on (dataset, source name): recording a case that is already ingested
/// changes nothing and returns the stored row, so a repeated import leaves ids, splits and artifact
/// references as they were. A failed case may later be recorded as ingested (its files were
/// fixed), and its stored reason is replaced by a newer one; an ingested case never becomes failed.
public enum CaseRepository {
    /// Records the cases of one import in one transaction, so their split is stored whole or not at
    /// all; returns the stored rows in the order given. A record's `id` is used only for a new row.
    public static func record(_ cases: [CaseRecord], on client: PostgresClient) async throws -> [CaseRecord] {
        try await client.withTransaction { transaction in
            var stored: [CaseRecord] = []
            for record in cases {
                try await transaction.query(upsert(record))
                let rows = try await transaction.query(
                    """
                    SELECT id, dataset_id, source_name, patient_id, state, failure_reason, split, image_sha256, label_sha256,
                       label_voxels, preprocessing_steps
                    FROM cases WHERE dataset_id = \(record.datasetID) AND source_name = \(record.sourceName)
                    """)
                guard let row = rows.first else {
                    throw StoreError(code: .query, message: "case '\(record.sourceName)' is missing after its insert")
                }
                stored.append(try Self.record(row))
            }
            return stored
        }
    }

    /// The cases of a dataset (of every dataset when nil), or the one case `id` names, ordered by
    /// dataset and source name.
    public static func cases(
        in datasetID: DatasetID?, id: CaseID? = nil, on db: some PostgresQuerying
    ) async throws -> [CaseRecord] {
        try await db.query(
            """
            SELECT id, dataset_id, source_name, patient_id, state, failure_reason, split, image_sha256, label_sha256,
                       label_voxels, preprocessing_steps
            FROM cases
            WHERE (\(datasetID)::uuid IS NULL OR dataset_id = \(datasetID)) AND (\(id)::uuid IS NULL OR id = \(id))
            ORDER BY dataset_id, source_name
            """
        ).map(Self.record)
    }

    private static func upsert(_ record: CaseRecord) -> PostgresQuery {
        switch record.state {
        case .ingested(let split, let image, let label):
            """
            INSERT INTO cases (id, dataset_id, source_name, patient_id, state, split, image_sha256, label_sha256,
                               label_voxels, preprocessing_steps)
            VALUES (\(record.id), \(record.datasetID), \(record.sourceName), \(record.patientID), 'ingested',
                    \(split.rawValue), \(image), \(label), \(label == nil ? nil : record.labelVoxels),
                    \(record.preprocessingSteps.joined(separator: ",")))
            ON CONFLICT (dataset_id, source_name) DO UPDATE
                SET state = 'ingested', failure_reason = NULL, patient_id = EXCLUDED.patient_id,
                    split = EXCLUDED.split, image_sha256 = EXCLUDED.image_sha256,
                    label_sha256 = EXCLUDED.label_sha256, label_voxels = EXCLUDED.label_voxels,
                    preprocessing_steps = EXCLUDED.preprocessing_steps, ingested_at = now()
                WHERE cases.state = 'failed'
            """
        case .failed(let reason):
            """
            INSERT INTO cases (id, dataset_id, source_name, patient_id, state, failure_reason)
            VALUES (\(record.id), \(record.datasetID), \(record.sourceName), \(record.patientID), 'failed', \(reason))
            ON CONFLICT (dataset_id, source_name) DO UPDATE
                SET failure_reason = EXCLUDED.failure_reason
                WHERE cases.state = 'failed' AND cases.failure_reason IS DISTINCT FROM EXCLUDED.failure_reason
            """
        }
    }

    /// What a worker needs to load the ingested case `id`; nil when there is no such ingested case.
    public static func files(of id: CaseID, on db: some PostgresQuerying) async throws -> CaseFiles? {
        guard
            let row = try await db.query(
                """
                SELECT dataset_id, split, image_sha256, label_sha256 FROM cases WHERE id = \(id) AND state = 'ingested'
                """
            ).first
        else { return nil }
        return CaseFiles(
            id: id, datasetID: try row.decode("dataset_id"), split: try row.decode("split"),
            imageSHA256: try row.decode("image_sha256"), labelSHA256: try row.decode("label_sha256"))
    }

    private static func record(_ row: PostgresRow) throws -> CaseRecord {
        let stateName: String = try row.decode("state")
        let state: CaseRecord.State
        switch stateName {
        case "ingested":
            let splitName: String = try row.decode("split")
            guard let split = DataSplit(rawValue: splitName) else {
                throw StoreError(code: .decoding, message: "unknown split '\(splitName)'")
            }
            state = .ingested(
                split: split, imageSHA256: try row.decode("image_sha256"),
                labelSHA256: try row.decode("label_sha256", as: String?.self))
        case "failed":
            state = .failed(reason: try row.decode("failure_reason"))
        default:
            throw StoreError(code: .decoding, message: "unknown case state '\(stateName)'")
        }
        return CaseRecord(
            id: try row.decode("id"), datasetID: try row.decode("dataset_id"),
            sourceName: try row.decode("source_name"), patientID: try row.decode("patient_id"),
            state: state, labelVoxels: try row.decode("label_voxels", as: Int?.self),
            preprocessingSteps: try row.decode("preprocessing_steps", as: String.self).split(separator: ",").map(
                String.init))
    }
}
