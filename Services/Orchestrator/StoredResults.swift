import Domain
import Foundation
import Store

/// Reads of what the trainer and scorer commit (models, scores, features, per-case Dice), in the
/// shape the orchestrator's next steps need.
enum StoredResults {
    /// A trained model: its id and checkpoint, and its bootstrap member if any.
    struct Model: Sendable, Hashable {
        var id: ModelID
        var checkpointSHA256: String
        var member: Int?
    }

    /// The models of a round, the single model or the members in order.
    static func models(of experimentID: ExperimentID, round: Int, on db: some PostgresQuerying) async throws -> [Model]
    {
        try await db.query(
            """
            SELECT id, checkpoint_sha256, bootstrap_member FROM models
            WHERE experiment_id = \(experimentID) AND round_index = \(round) AND NOT is_full_data_reference
            ORDER BY coalesce(bootstrap_member, -1)
            """
        ).map(model)
    }

    /// The full-data reference model of a dataset and profile, or nil before it is trained.
    static func referenceModel(
        datasetID: DatasetID, profile: ProfileName,
        on db: some PostgresQuerying
    ) async throws -> Model? {
        try await db.query(
            """
            SELECT id, checkpoint_sha256, bootstrap_member FROM models
            WHERE dataset_id = \(datasetID) AND profile = \(profile.rawValue) AND is_full_data_reference
            """
        ).first.map(model)
    }

    /// Per-case test Dice of a model, by case id.
    static func dice(of modelID: ModelID, on db: some PostgresQuerying) async throws -> [CaseID: Double] {
        var dice: [CaseID: Double] = [:]
        for row in try await db.query("SELECT case_id, dice FROM evaluations WHERE model_id = \(modelID)") {
            dice[try row.decode("case_id")] = try row.decode("dice")
        }
        return dice
    }

    /// Uncertainty scores and bottleneck features of a round's pool cases, by case id.
    static func scores(
        of experimentID: ExperimentID, round: Int, on db: some PostgresQuerying
    ) async throws
        -> [CaseID: (score: Double, features: [Float])]
    {
        var scores: [CaseID: (score: Double, features: [Float])] = [:]
        for row in try await db.query(
            """
            SELECT s.case_id, s.value, f.vector FROM scores s
            LEFT JOIN features f USING (experiment_id, round_index, case_id)
            WHERE s.experiment_id = \(experimentID) AND s.round_index = \(round)
            """)
        {
            scores[try row.decode("case_id")] = (
                try row.decode("value"), try row.decode("vector", as: [Float]?.self) ?? []
            )
        }
        return scores
    }

    /// Bottleneck features stored in a round, by case id: the pool cases' and, under the
    /// non-similar restriction, the annotated cases'.
    static func features(
        of experimentID: ExperimentID, round: Int, on db: some PostgresQuerying
    ) async throws -> [CaseID: [Float]] {
        var features: [CaseID: [Float]] = [:]
        for row in try await db.query(
            """
            SELECT case_id, vector FROM features WHERE experiment_id = \(experimentID) AND round_index = \(round)
            """)
        {
            features[try row.decode("case_id")] = try row.decode("vector")
        }
        return features
    }

    private static func model(_ row: PostgresRow) throws -> Model {
        Model(
            id: try row.decode("id"), checkpointSHA256: try row.decode("checkpoint_sha256"),
            member: try row.decode("bootstrap_member", as: Int?.self))
    }
}
