import Bus
import Foundation
import Logging
import Proto
import ServiceLifecycle

/// A worker of a job queue: fetches one job at a time from the queue's durable consumer, runs the
/// handler on it, and settles it.
///
/// - The handler commits first, then the worker publishes the notice and acknowledges, so a job is
///   acknowledged only once its result is in Postgres; a worker that dies before the ack leaves the
///   job to be redelivered (after the ack wait) to another worker.
/// - While the handler runs, the worker reports the job in progress every `heartbeat`, so a long
///   training job is not redelivered while its worker is alive.
/// - A failure whose code says the job itself is wrong (`invalidArgument`, `notFound`,
///   `failedPrecondition`, `dataLoss`, `unimplemented`), an undecodable job, or a failure on the last allowed
///   attempt is recorded as final, announced as an `ErrorReply` and terminated; any other failure is recorded
///   and the job handed back with `retryDelay`.
/// - A job delivered after its last allowed attempt is one whose worker died on it (a crash, an
///   out-of-memory kill) or stalled past the ack wait: it is failed the same way without being run,
///   so a job that kills every worker that takes it ends loudly instead of lying unsettled.
/// - On graceful shutdown the worker stops fetching and cancels the running handler: the job is
///   handed back at once for another worker, unless it had already finished. A hand-back is no
///   attempt: the handler takes it off the job's count, and the job is queued again as a new
///   message (`JobQueue.requeue`), since JetStream would count the old one's redelivery, so
///   restarting workers again and again never fails a job. Where the new message cannot be
///   published, the old one is handed back with a nak and its delivery counts.
/// - A fetch that fails (NATS restarting, JetStream not answering yet after a server restart) is
///   retried after `fetchRetryWait`, doubled after each further failure up to `maxFetchRetryWait`,
///   until the connection is back; only a connection closed for good ends the worker. A worker
///   that gave up instead would leave its queue unserved while its process still ran.
public struct JobWorker<Handler: JobHandler>: Service {
    public let queue: JobQueue<Handler.Job, Handler.Result>
    public let handler: Handler
    /// Jobs worked on at once by this process.
    public let concurrency: Int
    /// How long one fetch waits for a job before checking for shutdown again.
    public let fetchTimeout: Duration
    /// The pause after a failed fetch (default 100 ms), doubled after every further failure up to
    /// `maxFetchRetryWait` (default 5 s): the connection's own reconnect back-off, so the worker
    /// fetches again within seconds of NATS coming back without spinning while it is away.
    public var fetchRetryWait: Duration = .milliseconds(100)
    public var maxFetchRetryWait: Duration = .seconds(5)
    private let logger: Logger

    public init(
        queue: JobQueue<Handler.Job, Handler.Result>, handler: Handler, concurrency: Int = 1,
        fetchTimeout: Duration = .seconds(1), logger: Logger
    ) {
        precondition(concurrency >= 1)
        self.queue = queue
        self.handler = handler
        self.concurrency = concurrency
        self.fetchTimeout = fetchTimeout
        self.logger = logger
    }

    public func run() async throws {
        try await queue.ensure()
        let consumer = try await queue.jetStream.pullConsumer(stream: queue.jobsStream, durableName: queue.durableName)
        logger.info(
            "taking jobs",
            metadata: [
                "job.stream": "\(queue.jobsStream)", "job.consumer": "\(queue.durableName)",
                "job.subject": "\(queue.jobSubject)",
            ])
        try await withThrowingDiscardingTaskGroup { group in
            for _ in 0..<concurrency {
                group.addTask { try await work(consumer) }
            }
            group.addTask { await reportBacklog() }
        }
        logger.info("stopped taking jobs")
    }

    /// How often the queue's backlog is read for the `activeseg_jobs_pending` and
    /// `activeseg_jobs_in_progress` gauges.
    static var backlogInterval: Duration { .seconds(5) }

    /// The job kind in metric labels: the queue's rpc method (`train`, `score`).
    var kind: String { queue.method.method.lowercased() }

    /// Reads the consumer's backlog into the gauges until graceful shutdown; a failed read leaves
    /// the last values.
    private func reportBacklog() async {
        let (pending, inProgress) = (
            ServiceMetrics.gauge(ServiceMetrics.jobsPending, kind: kind),
            ServiceMetrics.gauge(ServiceMetrics.jobsInProgress, kind: kind)
        )
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let state = try? await queue.jetStream.consumerState(
                stream: queue.jobsStream, durableName: queue.durableName)
            {
                pending.record(Int64(clamping: state.pending))
                inProgress.record(state.ackPending)
            }
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.backlogInterval) }
        }
    }

    private func work(_ consumer: PullConsumer) async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let messages: [JetStreamMessage]
            do {
                messages = try await consumer.fetch(maxMessages: 1, timeout: fetchTimeout)
            } catch {
                // A closed connection never comes back: the process must end (and be restarted).
                if queue.jetStream.connection.isClosed { throw error }
                failures += 1
                let wait = retryWait(afterFailures: failures)
                logger.log(
                    level: failures == 1 ? .warning : .debug, "could not fetch a job; fetching again",
                    metadata: ["error": "\(error)", "retry.after": "\(wait)", "failed.fetches": "\(failures)"])
                // Graceful shutdown ends the pause; the loop's condition then ends the worker.
                _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
                continue
            }
            if failures > 0 {
                logger.notice("fetching jobs again", metadata: ["failed.fetches": "\(failures)"])
                failures = 0
            }
            for message in messages {
                await process(message)
            }
        }
    }

    /// The pause before fetching again after `failures` failed fetches in a row.
    func retryWait(afterFailures failures: Int) -> Duration {
        let doublings = min(max(failures - 1, 0), 30)
        return min(fetchRetryWait * (1 << doublings), maxFetchRetryWait)
    }

    /// Runs one job and settles its message; never throws, so one bad job cannot stop the worker.
    func process(_ message: JetStreamMessage) async {
        let delivery = Int(message.deliveryCount)
        let started = ContinuousClock.now
        ServiceMetrics.counter(ServiceMetrics.jobsTaken, kind: kind).increment()
        if delivery > 1 { ServiceMetrics.counter(ServiceMetrics.jobsRedelivered, kind: kind).increment() }
        let headerID = JobQueue<Handler.Job, Handler.Result>.jobID(of: message)
        let logger = {
            var logger = self.logger
            logger[metadataKey: "job.id"] = "\(headerID)"
            logger[metadataKey: "job.delivery"] = "\(delivery)"
            return logger
        }()
        let job: Handler.Job
        do {
            job = try Handler.Job(serializedBytes: message.payload)
        } catch {
            await fail(
                message, jobID: headerID,
                RPCError(
                    .invalidArgument, "the job does not decode as \(Handler.Job.protoMessageName)",
                    details: ["job.id": headerID], cause: error),
                final: true, logger: logger)
            return
        }
        let attempts = queue.delivery.maxAttempts
        guard delivery <= attempts else {
            await fail(
                message, jobID: headerID,
                RPCError(
                    .aborted,
                    "worker died on it: \(attempts) attempts, the last without an outcome "
                        + "(its worker crashed, was killed or stalled past the ack wait)",
                    details: ["job.id": headerID]),
                final: true, logger: logger)
            return
        }
        do {
            let result = try await withHeartbeats(message, logger: logger) {
                try await cancelWhenGracefulShutdown {
                    try await handler.handle(job, id: headerID, delivery: delivery, logger: logger)
                }
            }
            if let result { try await queue.announce(result, jobID: headerID) }
            try await message.ack()
            ServiceMetrics.counter(ServiceMetrics.jobsFinished, kind: kind).increment()
            ServiceMetrics.recordJobDuration(kind: kind, ContinuousClock.now - started)
            logger.info("job done")
        } catch is CancellationError {
            await handBack(message, jobID: headerID, logger: logger)
        } catch {
            let failure =
                (error as? RPCError) ?? RPCError(.unavailable, "\(error)", details: ["job.id": headerID], cause: error)
            let final = Self.isPermanent(failure.code) || delivery >= attempts
            await fail(message, jobID: headerID, failure, final: final, logger: logger)
        }
    }

    /// Whether retrying cannot help because the job itself is wrong.
    static func isPermanent(_ code: ErrorCode) -> Bool {
        [.invalidArgument, .notFound, .failedPrecondition, .dataLoss, .unimplemented].contains(code)
    }

    private func fail(_ message: JetStreamMessage, jobID: String, _ error: RPCError, final: Bool, logger: Logger) async
    {
        logger.warning(
            final ? "job failed" : "job attempt failed; it will be retried",
            metadata: ["error": "\(error)"])
        do {
            try await handler.recordFailure(jobID: jobID, error: error, final: final, logger: logger)
            if final {
                try await queue.announce(error, jobID: jobID)
                try await message.term()
                ServiceMetrics.counter(ServiceMetrics.jobsFailed, kind: kind).increment()
            } else {
                try await message.nak(delay: queue.delivery.retryDelay)
            }
        } catch {
            // Left unsettled, the job comes back after the ack wait and is judged again.
            logger.error("could not settle the failed job", metadata: ["error": "\(error)"])
        }
    }

    /// Hands a job interrupted by shutdown back to the queue without counting the attempt.
    private func handBack(_ message: JetStreamMessage, jobID: String, logger: Logger) async {
        logger.notice("job handed back: the worker is shutting down")
        do {
            try await handler.recordHandBack(jobID: jobID, logger: logger)
            try await queue.requeue(message, jobID: jobID)
            try await message.ack()
        } catch {
            logger.warning(
                "could not queue the handed-back job again; its delivery counts as an attempt",
                metadata: ["error": "\(error)"])
            try? await message.nak()
        }
    }

    /// Runs `body` while telling the server every `heartbeat` that the job is in progress.
    private func withHeartbeats<Value: Sendable>(
        _ message: JetStreamMessage, logger: Logger, _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let interval = queue.delivery.heartbeat
        return try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: interval)
                    do {
                        try await message.inProgress()
                    } catch {
                        logger.warning("could not report the job in progress", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.addTask { try await body() }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw CancellationError()
        }
    }
}
