import Domain
import Foundation

/// Typed access to the `models` table: the trainer records each model in the transaction that
/// finishes its job; the orchestrator and the command line read them.
public enum ModelRepository {
    /// Records a trained model; run it in the transaction that marks its job succeeded.
    public static func insert(_ model: ModelRecord, on db: some PostgresQuerying) async throws {
        try await db.query(
            """
            INSERT INTO models (id, dataset_id, experiment_id, round_index, ensemble_member, is_full_data_reference,
                                profile, checkpoint_sha256, training_case_count, epochs, best_validation_dice, job_id)
            VALUES (\(model.id), \(model.datasetID), \(model.experimentID), \(model.roundIndex), \(model.ensembleMember),
                    \(model.isFullDataReference), \(model.profile.rawValue), \(model.checkpointSHA256), \(model.trainingCaseCount),
                    \(model.epochs), \(model.bestValidationDice), \(model.jobID))
            """)
    }

    public static func model(_ id: ModelID, on db: some PostgresQuerying) async throws -> ModelRecord? {
        try await db.query("SELECT * FROM models WHERE id = \(id)").first.map(ModelRecord.init)
    }

    /// The models that match every filter given (all when none is), full-data models first, then
    /// by experiment, round and ensemble member; each with its mean Dice over the test cases
    /// scored so far (nil before the first).
    public static func models(
        of experimentID: ExperimentID?, datasetID: DatasetID?, id: ModelID?, on db: some PostgresQuerying
    ) async throws -> [(model: ModelRecord, meanTestDice: Double?)] {
        try await db.query(
            """
            SELECT m.*, (SELECT avg(e.dice) FROM evaluations e WHERE e.model_id = m.id) AS mean_test_dice
            FROM models m
            WHERE (\(experimentID)::uuid IS NULL OR m.experiment_id = \(experimentID))
              AND (\(datasetID)::uuid IS NULL OR m.dataset_id = \(datasetID))
              AND (\(id)::uuid IS NULL OR m.id = \(id))
            ORDER BY m.experiment_id NULLS FIRST, m.round_index, m.ensemble_member NULLS FIRST, m.created_at
            """
        ).map { (try ModelRecord($0), try $0.decode("mean_test_dice", as: Double?.self)) }
    }

    /// The models a train job produced (one; none before it succeeded).
    public static func models(trainedBy jobID: JobID, on db: some PostgresQuerying) async throws -> [ModelRecord] {
        try await db.query("SELECT * FROM models WHERE job_id = \(jobID)").map(ModelRecord.init)
    }

    /// The models of an experiment's round: its single model, or its bootstrap members in order.
    public static func models(
        of experimentID: ExperimentID, round: Int, on db: some PostgresQuerying
    ) async throws -> [ModelRecord] {
        try await db.query(
            """
            SELECT * FROM models
            WHERE experiment_id = \(experimentID) AND round_index = \(round) AND NOT is_full_data_reference
            ORDER BY coalesce(ensemble_member, -1)
            """
        ).map(ModelRecord.init)
    }

    /// The trained members of the full-data reference of a dataset and profile, in member order;
    /// empty before the first is trained. Its test Dice: `EvaluationRepository.referenceDice`.
    public static func referenceMembers(
        datasetID: DatasetID, profile: ProfileName, on db: some PostgresQuerying
    ) async throws -> [ModelRecord] {
        try await db.query(
            """
            SELECT * FROM models
            WHERE dataset_id = \(datasetID) AND profile = \(profile.rawValue) AND is_full_data_reference
            ORDER BY ensemble_member
            """
        ).map(ModelRecord.init)
    }
}
