import Domain
import Foundation

/// Typed access to the `experiments` table.
///
/// Every function takes what it runs on, the pool or an open transaction, so a state change of an
/// experiment can be one step of the transaction that also records its round and jobs.
public enum ExperimentRepository {
    private static let columns: StaticString = """
        id, name, dataset_id, strategy, restriction, initial_count, candidate_count, query_count, max_rounds,
        stop_at_equivalence, dropout_passes, bootstrap_members, seed, repetition, profile, annotation_mode,
        status, failure_reason, first_equivalent_round, spec, created_at, finished_at
        """

    /// Records a new experiment, or returns the one already stored under its id unchanged, so a
    /// retried create makes no second experiment.
    public static func create(
        _ new: ExperimentRecord, on db: some PostgresQuerying
    ) async throws
        -> ExperimentRecord
    {
        let (e, d) = (new, new.design)
        try await db.query(
            """
            INSERT INTO experiments (id, name, dataset_id, strategy, restriction, initial_count, candidate_count,
                                     query_count, max_rounds, stop_at_equivalence, dropout_passes, bootstrap_members,
                                     seed, repetition, profile, annotation_mode, spec)
            VALUES (\(e.id), \(e.name), \(e.datasetID), \(d.strategy.rawValue), \(d.restriction.rawValue),
                    \(d.initialCount), \(d.candidateCount), \(d.queryCount), \(d.maxRounds), \(d.stopAtEquivalence),
                    \(d.dropoutPasses), \(d.bootstrapMembers), \(d.seed), \(e.repetition), \(d.profile.rawValue),
                    \(e.annotationMode.rawValue), \(e.spec))
            ON CONFLICT (id) DO NOTHING
            """)
        guard let stored = try await experiment(e.id, on: db) else {
            throw StoreError(
                code: .query, message: "experiment \(e.id.wireForm) is missing after its insert")
        }
        return stored
    }

    /// The experiment with `id`, or nil.
    public static func experiment(_ id: ExperimentID, on db: some PostgresQuerying) async throws -> ExperimentRecord? {
        try await db.query("SELECT \(sql: columns) FROM experiments WHERE id = \(id)").first.map(record)
    }

    /// The experiment with `id`, locked against concurrent state changes until the transaction ends.
    public static func lockedExperiment(
        _ id: ExperimentID, in transaction: PostgresTransaction
    ) async throws
        -> ExperimentRecord?
    {
        try await transaction.query("SELECT \(sql: columns) FROM experiments WHERE id = \(id) FOR UPDATE").first.map(
            record)
    }

    /// Experiments newest first, all or those of one dataset.
    public static func experiments(
        datasetID: DatasetID? = nil, on db: some PostgresQuerying
    ) async throws
        -> [ExperimentRecord]
    {
        try await db.query(
            """
            SELECT \(sql: columns) FROM experiments
            WHERE \(datasetID) IS NULL OR dataset_id = \(datasetID)
            ORDER BY created_at DESC, id
            """
        ).map(record)
    }

    /// How many experiments are in each status; a status no experiment is in is absent.
    public static func statusCounts(on db: some PostgresQuerying) async throws -> [ExperimentRecord.Status: Int] {
        var counts: [ExperimentRecord.Status: Int] = [:]
        for row in try await db.query("SELECT status, count(*) AS experiments FROM experiments GROUP BY status") {
            counts[try row.decode("status")] = try row.decode("experiments", as: Int.self)
        }
        return counts
    }

    /// Experiments that are running, which a starting orchestrator resumes.
    public static func running(on db: some PostgresQuerying) async throws -> [ExperimentRecord] {
        try await db.query("SELECT \(sql: columns) FROM experiments WHERE status = 'running' ORDER BY created_at, id")
            .map(record)
    }

    /// Moves the experiment from `expected` to `status`; returns false, changing nothing, when it is
    /// no longer in `expected` (a repeated or late request). A final status stamps `finished_at`.
    @discardableResult
    public static func transition(
        _ id: ExperimentID, from expected: ExperimentRecord.Status, to status: ExperimentRecord.Status,
        failureReason: String? = nil, on db: some PostgresQuerying
    ) async throws -> Bool {
        try await db.query(
            """
            UPDATE experiments
            SET status = \(status.rawValue), failure_reason = \(failureReason),
                finished_at = CASE WHEN \(status.isFinal) THEN now() END
            WHERE id = \(id) AND status = \(expected.rawValue)
            """
        ).affectedRows == 1
    }

    /// Records the first round whose model was equivalent to the full-data model; later calls keep it.
    public static func recordFirstEquivalentRound(
        _ round: Int, of id: ExperimentID, on db: some PostgresQuerying
    ) async throws {
        try await db.query(
            """
            UPDATE experiments SET first_equivalent_round = \(round)
            WHERE id = \(id) AND first_equivalent_round IS NULL
            """)
    }

    private static func record(_ row: PostgresRow) throws -> ExperimentRecord {
        ExperimentRecord(
            id: try row.decode("id"), name: try row.decode("name"), datasetID: try row.decode("dataset_id"),
            design: ExperimentDesign(
                strategy: try row.decode("strategy"), restriction: try row.decode("restriction"),
                initialCount: try row.decode("initial_count"), candidateCount: try row.decode("candidate_count"),
                queryCount: try row.decode("query_count"), maxRounds: try row.decode("max_rounds"),
                stopAtEquivalence: try row.decode("stop_at_equivalence"),
                dropoutPasses: try row.decode("dropout_passes", as: Int?.self),
                bootstrapMembers: try row.decode("bootstrap_members", as: Int?.self),
                seed: try row.decode("seed"), profile: try row.decode("profile")),
            repetition: try row.decode("repetition"), annotationMode: try row.decode("annotation_mode"),
            status: try row.decode("status"), failureReason: try row.decode("failure_reason", as: String?.self),
            firstEquivalentRound: try row.decode("first_equivalent_round", as: Int?.self),
            spec: try row.decode("spec"), createdAt: try row.decode("created_at"),
            finishedAt: try row.decode("finished_at", as: Date?.self))
    }
}
