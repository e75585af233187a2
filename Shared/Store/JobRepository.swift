import Domain
import Foundation

/// Typed access to the `jobs` table.
///
/// State changes never leave a final state, so a result delivered twice, or after the job was
/// failed, changes nothing.
public enum JobRepository {
    private static let columns: StaticString = """
        id, key, kind, experiment_id, round_index, payload, state, attempts, last_error
        """

    /// Records jobs; a job whose key is stored already keeps its stored row. Returns the stored
    /// rows in the order given, which are the ones to publish.
    public static func enqueue(_ jobs: [JobRecord], on db: some PostgresQuerying) async throws -> [JobRecord] {
        var stored: [JobRecord] = []
        for job in jobs {
            try await db.query(
                """
                INSERT INTO jobs (id, key, kind, experiment_id, round_index, payload)
                VALUES (\(job.id), \(job.key), \(job.kind.rawValue), \(job.experimentID), \(job.roundIndex), \(job.payload))
                ON CONFLICT (key) DO NOTHING
                """)
            guard let row = try await db.query("SELECT \(sql: columns) FROM jobs WHERE key = \(job.key)").first else {
                throw StoreError(code: .query, message: "job '\(job.key)' is missing after its insert")
            }
            stored.append(try record(row))
        }
        return stored
    }

    /// The job with `id`, or nil.
    public static func job(_ id: JobID, on db: some PostgresQuerying) async throws -> JobRecord? {
        try await db.query("SELECT \(sql: columns) FROM jobs WHERE id = \(id)").first.map(record)
    }

    /// The job recorded under `key`, or nil.
    public static func job(key: String, on db: some PostgresQuerying) async throws -> JobRecord? {
        try await db.query("SELECT \(sql: columns) FROM jobs WHERE key = \(key)").first.map(record)
    }

    /// How the jobs of one round whose keys start with `keyPrefix` stand, counted by the database
    /// (index `jobs_by_round`), so a step that only asks whether a phase is done reads no job rows.
    public static func counts(
        of experimentID: ExperimentID, round: Int, keyPrefix: String, on db: some PostgresQuerying
    ) async throws -> JobTally {
        let rows = try await db.query(
            """
            SELECT count(*) AS total,
                   count(*) FILTER (WHERE state = 'succeeded') AS succeeded,
                   count(*) FILTER (WHERE state = 'failed') AS failed,
                   (array_agg(last_error ORDER BY created_at, key) FILTER (WHERE state = 'failed'))[1] AS first_failure
            FROM jobs
            WHERE experiment_id = \(experimentID) AND round_index = \(round) AND starts_with(key, \(keyPrefix))
            """)
        guard let row = rows.first else { return JobTally() }
        return JobTally(
            total: try row.decode("total"), succeeded: try row.decode("succeeded"),
            failed: try row.decode("failed"), firstFailure: try row.decode("first_failure", as: String?.self))
    }

    /// Jobs not yet finished, oldest first: what a restarted orchestrator publishes again.
    public static func unfinished(on db: some PostgresQuerying) async throws -> [JobRecord] {
        try await db.query(
            """
            SELECT \(sql: columns) FROM jobs WHERE state IN ('queued', 'running') ORDER BY created_at, key
            """
        ).map(record)
    }

    /// Jobs of `kind` running for longer than `limit`: the time since their row last changed,
    /// which for a running job is when a worker took it (or its last attempt failed).
    public static func running(
        _ kind: JobKind, longerThan limit: Duration, on db: some PostgresQuerying
    )
        async throws -> [JobRecord]
    {
        try await db.query(
            """
            SELECT \(sql: columns) FROM jobs
            WHERE state = 'running' AND kind = \(kind.rawValue) AND updated_at < now() - \(seconds(limit)) * interval '1 second'
            ORDER BY created_at, key
            """
        ).map(record)
    }

    /// Jobs queued and untouched for longer than `idle`, oldest first: no worker has taken them
    /// although one would have within that time had their message reached the queue.
    public static func queued(idleFor idle: Duration, on db: some PostgresQuerying) async throws -> [JobRecord] {
        try await db.query(
            """
            SELECT \(sql: columns) FROM jobs
            WHERE state = 'queued' AND updated_at < now() - \(seconds(idle)) * interval '1 second'
            ORDER BY created_at, key
            """
        ).map(record)
    }

    /// Counts an attempt at job `id` by `worker` (its `ACTIVESEG_INSTANCE`) and marks the job
    /// running; returns the state it had, or nil when no such job exists. A job found `succeeded`
    /// is left alone: an earlier delivery committed it, and the caller must not do it again. A
    /// failed job runs again when a worker still holds a delivery of it.
    public static func startAttempt(
        _ id: JobID, worker: String, on client: PostgresClient
    ) async throws -> JobState? {
        try await client.withTransaction { transaction in
            guard
                let row = try await transaction.query("SELECT state FROM jobs WHERE id = \(id) FOR UPDATE").first
            else { return nil }
            let state: JobState = try row.decode("state")
            if state != .succeeded {
                try await transaction.query(
                    """
                    UPDATE jobs SET state = 'running', attempts = attempts + 1, worker = \(worker),
                        finished_at = NULL, updated_at = now()
                    WHERE id = \(id)
                    """)
            }
            return state
        }
    }

    /// Takes back the attempt at job `id` that a stopping worker cut short: the job is queued again
    /// with one attempt fewer, unless it finished meanwhile.
    public static func handBack(_ id: JobID, on db: some PostgresQuerying) async throws {
        try await db.query(
            """
            UPDATE jobs SET state = 'queued', attempts = greatest(attempts - 1, 0), updated_at = now()
            WHERE id = \(id) AND state = 'running'
            """)
    }

    /// Records why a worker's attempt at job `id` failed; with `final` (no attempt left, or an
    /// error no retry can mend) the job is marked failed. A job that has succeeded meanwhile keeps
    /// its state.
    public static func recordFailure(
        _ id: JobID, reason: String, final: Bool, on db: some PostgresQuerying
    ) async throws {
        try await db.query(
            """
            UPDATE jobs SET last_error = \(reason), attempts = greatest(attempts, 1), updated_at = now(),
                state = CASE WHEN \(final) THEN 'failed' ELSE state END,
                finished_at = CASE WHEN \(final) THEN now() ELSE finished_at END
            WHERE id = \(id) AND state <> 'succeeded'
            """)
    }

    /// Records the job's success, in the transaction that stores its result; false, changing
    /// nothing, when it had finished already (a job the orchestrator failed meanwhile, past its
    /// time limit, stays failed, as the experiment it failed did).
    @discardableResult
    public static func markSucceeded(_ id: JobID, on db: some PostgresQuerying) async throws -> Bool {
        try await db.query(
            """
            UPDATE jobs SET state = 'succeeded', attempts = greatest(attempts, 1), updated_at = now(), finished_at = now()
            WHERE id = \(id) AND state IN ('queued', 'running')
            """
        ).affectedRows == 1
    }

    /// Fails the job for the orchestrator (past its time limit) and says why; false, changing
    /// nothing, when it had finished already.
    @discardableResult
    public static func markFailed(_ id: JobID, reason: String, on db: some PostgresQuerying) async throws -> Bool {
        try await db.query(
            """
            UPDATE jobs SET state = 'failed', attempts = greatest(attempts, 1), last_error = \(reason),
                            updated_at = now(), finished_at = now()
            WHERE id = \(id) AND state IN ('queued', 'running')
            """
        ).affectedRows == 1
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    private static func record(_ row: PostgresRow) throws -> JobRecord {
        JobRecord(
            id: try row.decode("id"), key: try row.decode("key"), kind: try row.decode("kind"),
            experimentID: try row.decode("experiment_id", as: ExperimentID?.self),
            roundIndex: try row.decode("round_index", as: Int?.self), payload: try row.decode("payload"),
            state: try row.decode("state"), attempts: try row.decode("attempts"),
            lastError: try row.decode("last_error", as: String?.self))
    }
}
