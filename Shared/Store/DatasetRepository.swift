import Domain
import Foundation

/// Typed access to the `datasets` table.
public enum DatasetRepository {
    /// Creates the dataset, or returns the row already stored under its id unchanged, so an import
    /// repeated with other split settings keeps the split the first import drew.
    ///
    /// - Throws: `StoreError` with code `.uniqueViolation` when another dataset already holds the
    ///   name or the source (a source belongs to one dataset).
    public static func ensure(_ dataset: DatasetRecord, on client: PostgresClient) async throws -> DatasetRecord {
        try await client.withTransaction { transaction in
            try await transaction.query(
                """
                INSERT INTO datasets (id, name, source_kind, source_uri, test_fraction, split_seed)
                VALUES (\(dataset.id), \(dataset.name), \(dataset.sourceKind.rawValue), \(dataset.sourceURI),
                        \(dataset.testFraction), \(dataset.splitSeed))
                ON CONFLICT DO NOTHING
                """)
            let rows = try await transaction.query(
                """
                SELECT id, name, source_kind, source_uri, test_fraction, split_seed FROM datasets
                WHERE id = \(dataset.id) OR name = \(dataset.name)
                   OR (source_kind = \(dataset.sourceKind.rawValue) AND source_uri = \(dataset.sourceURI))
                """)
            let records = try rows.map(record)
            if let stored = records.first(where: { $0.id == dataset.id }) {
                return stored
            }
            let holder = records.first?.id.wireForm ?? "?"
            throw StoreError(
                code: .uniqueViolation,
                message: "dataset \(holder) already holds the name '\(dataset.name)' or the source "
                    + "\(dataset.sourceKind.rawValue) '\(dataset.sourceURI)'")
        }
    }

    /// The dataset with `id`, or nil.
    public static func dataset(_ id: DatasetID, on db: some PostgresQuerying) async throws -> DatasetRecord? {
        try await db.query(
            """
            SELECT id, name, source_kind, source_uri, test_fraction, split_seed FROM datasets WHERE id = \(id)
            """
        ).first.map(record)
    }

    private static func record(_ row: PostgresRow) throws -> DatasetRecord {
        let kind: String = try row.decode("source_kind")
        guard let sourceKind = DatasetRecord.SourceKind(rawValue: kind) else {
            throw StoreError(code: .decoding, message: "unknown source_kind '\(kind)'")
        }
        return DatasetRecord(
            id: try row.decode("id"), name: try row.decode("name"), sourceKind: sourceKind,
            sourceURI: try row.decode("source_uri"), testFraction: try row.decode("test_fraction"),
            splitSeed: try row.decode("split_seed"))
    }
}
