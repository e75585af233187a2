import Foundation
import Store

/// Rows with every required column filled, so a test states only what it is about.
enum Fixtures {
    static func datasetInsert(id: UUID = UUID(), name: String) -> PostgresQuery {
        """
        INSERT INTO datasets (id, name, source_kind, source_uri, test_fraction, split_seed)
        VALUES (\(id), \(name), 'synthetic', \("synthetic:" + name), \(0.2), \(Int64(42)))
        """
    }

    static func ingestedCaseInsert(
        id: UUID = UUID(), dataset: UUID, name: String, split: String = "train"
    ) -> PostgresQuery {
        """
        INSERT INTO cases (id, dataset_id, source_name, patient_id, state, split, image_sha256, label_sha256)
        VALUES (\(id), \(dataset), \(name), \(name), 'ingested', \(split), \(sha256(name + "-image")),
                \(sha256(name + "-label")))
        """
    }

    static func failedCaseInsert(dataset: UUID, name: String, reason: String?) -> PostgresQuery {
        """
        INSERT INTO cases (id, dataset_id, source_name, patient_id, state, failure_reason)
        VALUES (\(UUID()), \(dataset), \(name), \(name), 'failed', \(reason))
        """
    }

    static func experimentInsert(
        id: UUID = UUID(), dataset: UUID, candidates: Int, picks: Int
    ) -> PostgresQuery {
        """
        INSERT INTO experiments (id, name, dataset_id, strategy, restriction, initial_count, candidate_count,
                                 query_count, max_rounds, dropout_passes, seed, profile, annotation_mode)
        VALUES (\(id), 'dropout run', \(dataset), 'dropout-train-test', 'representative', \(40), \(candidates),
                \(picks), \(10), \(20), \(Int64(1)), 'tiny', 'oracle')
        """
    }

    static func roundInsert(experiment: UUID, index: Int, phase: String) -> PostgresQuery {
        "INSERT INTO rounds (experiment_id, round_index, phase) VALUES (\(experiment), \(index), \(phase))"
    }

    /// A well-formed (fake) artifact reference.
    static func sha256(_ seed: String) -> String {
        var hex = ""
        for byte in seed.utf8 { hex += String(format: "%02x", byte) }
        return String((hex + String(repeating: "0", count: 64)).prefix(64))
    }
}
