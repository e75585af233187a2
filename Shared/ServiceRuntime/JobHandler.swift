import Logging
import SwiftProtobuf

/// What a service does with the jobs of one queue; `JobWorker` takes care of the queue itself.
public protocol JobHandler: Sendable {
    associatedtype Job: SwiftProtobuf.Message
    associatedtype Result: SwiftProtobuf.Message

    /// Does `job` and commits its outcome (and the job's state) in one transaction before
    /// returning, because the worker acknowledges the job as soon as this returns. Returns nil when
    /// an earlier delivery already committed the job, so there is nothing new to announce.
    ///
    /// Throw an `RPCError` whose code says whether a retry can help (see `JobWorker`); it should
    /// stop with `CancellationError` when its task is cancelled, so a shutting-down worker can
    /// hand the job back.
    func handle(_ job: Job, id: String, delivery: Int, logger: Logger) async throws -> Result?

    /// Records a failed attempt of job `id` with its reason; `final` when the job will not be
    /// offered again and must be marked failed.
    func recordFailure(jobID: String, error: RPCError, final: Bool, logger: Logger) async throws

    /// Records that the attempt at job `id` was cut short because the worker is stopping, and
    /// takes it off the job's attempts: the job goes back to the queue as if never started.
    func recordHandBack(jobID: String, logger: Logger) async throws
}

extension JobHandler {
    /// A handler that keeps no count of attempts has nothing to take back.
    public func recordHandBack(jobID: String, logger: Logger) async throws {}
}
