import Foundation
import Store

/// One row of `model list`: a trained model as the `models` table records it, with the mean test
/// Dice the scorer stored for it.
struct ModelSummary: Codable, Sendable, Equatable {
    var id: UUID
    var datasetID: UUID
    /// Nil for the dataset's full-data reference model.
    var experimentID: UUID?
    var round: Int?
    var bootstrapMember: Int?
    var profile: String
    var trainingCases: Int
    var epochs: Int
    var bestValidationDice: Double?
    /// Mean Dice over the test cases evaluated so far; nil before the scorer reported any.
    var meanTestDice: Double?
    var checkpointSHA256: String

    init(_ row: PostgresRow) throws {
        id = try row.decode("id")
        datasetID = try row.decode("dataset_id")
        experimentID = try row.decode("experiment_id", as: UUID?.self)
        round = try row.decode("round_index", as: Int?.self)
        bootstrapMember = try row.decode("bootstrap_member", as: Int?.self)
        profile = try row.decode("profile")
        trainingCases = try row.decode("training_case_count")
        epochs = try row.decode("epochs")
        bestValidationDice = try row.decode("best_validation_dice", as: Double?.self)
        meanTestDice = try row.decode("mean_test_dice", as: Double?.self)
        checkpointSHA256 = try row.decode("checkpoint_sha256")
    }

    /// The models that match every filter given (all when none is): reference models first, then by
    /// experiment, round and bootstrap member.
    static func matching(
        _ client: PostgresClient, experiment: UUID? = nil, dataset: UUID? = nil
    )
        async throws -> [ModelSummary]
    {
        try await client.query(
            """
            SELECT m.id, m.dataset_id, m.experiment_id, m.round_index, m.bootstrap_member, m.profile,
                   m.training_case_count, m.epochs, m.best_validation_dice, m.checkpoint_sha256,
                   (SELECT avg(e.dice) FROM evaluations e WHERE e.model_id = m.id) AS mean_test_dice
            FROM models m
            WHERE (\(experiment)::uuid IS NULL OR m.experiment_id = \(experiment))
              AND (\(dataset)::uuid IS NULL OR m.dataset_id = \(dataset))
            ORDER BY m.experiment_id NULLS FIRST, m.round_index, m.bootstrap_member NULLS FIRST, m.created_at
            """
        ).map(ModelSummary.init)
    }
}
