import Domain
import Foundation
import Logging
import ServiceRuntime
import Store

/// Records the attempts at a job in the `jobs` table (started, failed, handed back), the same way for
/// every job kind.
public struct JobFailureRecorder: Sendable {
    public let store: PostgresClient
    /// The worker's `ACTIVESEG_INSTANCE`, recorded with each attempt it starts.
    public let worker: String

    public init(store: PostgresClient, worker: String) {
        self.store = store
        self.worker = worker
    }

    /// Stores the reason of a failed attempt; a job id that is no UUID has no row to update.
    public func record(jobID: String, error: RPCError, final: Bool, logger: Logger) async throws {
        guard let id = JobID(wireForm: jobID) else {
            logger.warning("a job without a UUID failed; nothing to record", metadata: ["job.id": "\(jobID)"])
            return
        }
        try await JobRepository.recordFailure(id, reason: error.description, final: final, on: store)
    }

    /// Takes back the attempt a stopping worker handed back (see `JobWorker`).
    public func recordHandBack(jobID: String) async throws {
        guard let id = JobID(wireForm: jobID) else { return }
        try await JobRepository.handBack(id, on: store)
    }

    /// Counts the attempt and tells whether the job still has to be done: false when an earlier
    /// delivery committed it. A job without a row is not one the orchestrator queued.
    public func startAttempt(jobID: String) async throws -> Bool {
        let id = try JobID(wireForm: jobID, field: "job_id")
        guard let state = try await JobRepository.startAttempt(id, worker: worker, on: store) else {
            throw RPCError(.notFound, "job \(jobID) is not in the jobs table", details: ["job.id": jobID])
        }
        return state != .succeeded
    }
}
