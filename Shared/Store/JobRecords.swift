import Domain
import Foundation

/// Where a queued job stands (`jobs.state`).
public enum JobState: String, Sendable, CaseIterable {
    case queued, running, succeeded, failed
}

extension PostgresClient {
    /// Counts a worker's attempt at job `id` and marks it running; returns the state it had, or
    /// nil when no such job exists. A job found `succeeded` is left alone: an earlier delivery
    /// committed it, and the caller must not do it again.
    public func startJobAttempt(_ id: JobID) async throws -> JobState? {
        try await withTransaction { transaction in
            let rows = try await transaction.query("SELECT state FROM jobs WHERE id = \(id) FOR UPDATE")
            guard let row = rows.first else { return nil }
            let text: String = try row.decode("state")
            guard let state = JobState(rawValue: text) else {
                throw StoreError(code: .decoding, message: "jobs.state '\(text)' is not a known state")
            }
            if state != .succeeded {
                try await transaction.query(
                    """
                    UPDATE jobs SET state = 'running', attempts = attempts + 1, finished_at = NULL, updated_at = now()
                    WHERE id = \(id)
                    """)
            }
            return state
        }
    }

    /// Takes back the attempt at job `id` that a stopping worker cut short: the job is queued again
    /// with one attempt fewer, unless it finished meanwhile.
    public func recordJobHandBack(_ id: JobID) async throws {
        try await query(
            """
            UPDATE jobs SET state = 'queued', attempts = greatest(attempts - 1, 0), updated_at = now()
            WHERE id = \(id) AND state = 'running'
            """)
    }

    /// Records why an attempt at job `id` failed; with `final` the job is marked failed. A job
    /// that has succeeded meanwhile keeps its state.
    public func recordJobFailure(_ id: JobID, reason: String, final: Bool) async throws {
        try await query(
            """
            UPDATE jobs SET last_error = \(reason), attempts = greatest(attempts, 1), updated_at = now(),
                state = CASE WHEN \(final) THEN 'failed' ELSE state END,
                finished_at = CASE WHEN \(final) THEN now() ELSE finished_at END
            WHERE id = \(id) AND state <> 'succeeded'
            """)
    }
}

extension PostgresTransaction {
    /// Marks job `id` succeeded, in the transaction that stores its result. A job failed
    /// meanwhile (the orchestrator gave up on it: it ran past its time limit) stays failed, as the
    /// experiment it failed did.
    public func markJobSucceeded(_ id: JobID) async throws {
        try await query(
            """
            UPDATE jobs SET state = 'succeeded', last_error = NULL, finished_at = now(), updated_at = now()
            WHERE id = \(id) AND state <> 'failed'
            """)
    }
}
