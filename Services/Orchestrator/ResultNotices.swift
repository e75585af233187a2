import Bus
import Domain
import Foundation
import Logging
import Orchestration
import Proto
import ServiceRuntime
import Store

/// Follows the trainer's and scorer's completion notices (stream `ACTIVESEG_RESULTS`, durable
/// consumer `orchestrator`) and advances the experiment each notice belongs to.
///
/// A notice only prompts a step: the step reads the job's state from Postgres, where the worker
/// committed it before announcing it, so a duplicate or late notice finds nothing to do. A notice
/// is acknowledged after its step, so one that arrives while no orchestrator leads is handled by
/// the next leader (which also reconciles from Postgres at start and never depends on notices).
struct ResultNotices: Sendable {
    static let durableName = "orchestrator"

    let jetStream: JetStream
    let stream: String
    let database: PostgresClient
    let driver: ExperimentDriver
    let logger: Logger
    /// How long one fetch waits for a notice; bounds how fast the loop notices cancellation.
    var pollInterval: Duration = .milliseconds(500)
    /// How often the driver's periodic pass runs (`JobWatch.sweepInterval`), so a step that failed
    /// on a passing error (a selector not answering) is retried although no further notice will
    /// come, and jobs that never reached the queue or overran their time limit are dealt with.
    var sweepInterval: Duration = .seconds(30)

    func run() async throws {
        try await jetStream.ensureConsumer(
            stream: stream,
            ConsumerConfiguration(
                durableName: Self.durableName, ackWait: .seconds(60)))
        let consumer = try await jetStream.pullConsumer(stream: stream, durableName: Self.durableName)
        let clock = ContinuousClock()
        var lastSweep = clock.now
        while !Task.isCancelled {
            if clock.now - lastSweep >= sweepInterval {
                lastSweep = clock.now
                try await driver.sweep()
            }
            for notice in try await consumer.fetch(maxMessages: 32, timeout: pollInterval) {
                await handle(notice)
                // A notice whose step was cut short by shutdown stays unacknowledged for the next leader.
                guard !Task.isCancelled else { return }
                try await notice.ack()
            }
        }
    }

    private func handle(_ notice: JetStreamMessage) async {
        guard let jobID = Self.jobID(of: notice) else {
            logger.notice("notice without a job id ignored", metadata: ["nats.subject": "\(notice.subject)"])
            return
        }
        do {
            guard let job = try await JobRepository.job(jobID, on: database) else {
                logger.notice("notice for an unknown job ignored", metadata: ["job.id": "\(jobID)"])
                return
            }
            if let experimentID = job.experimentID, !job.key.hasPrefix(ExperimentStateMachine.referenceKeyPrefix) {
                await driver.advance(experimentID)
            } else {
                // The full-data model serves every experiment on its dataset and profile.
                try await driver.advanceRunning()
            }
        } catch is CancellationError {
            return
        } catch {
            logger.warning("notice not handled; reconciliation will catch up", metadata: ["error": "\(error)"])
        }
    }

    /// The job a notice reports on: the id inside the result, or for a failed job's `ErrorReply`
    /// (which carries none) the message id the worker published it under.
    static func jobID(of notice: JetStreamMessage) -> JobID? {
        let fromResult: String? =
            if notice.subject.hasSuffix(".trainer") {
                try? JobQueue<TrainJob, TrainResult>.decodeNotice(notice.payload, headers: notice.headers).get().jobID
            } else {
                try? JobQueue<ScoreJob, ScoreResult>.decodeNotice(notice.payload, headers: notice.headers).get().jobID
            }
        let text = fromResult.flatMap { $0.isEmpty ? nil : $0 } ?? notice.headers["Nats-Msg-Id"]
        return text.flatMap { JobID(wireForm: $0) }
    }
}
