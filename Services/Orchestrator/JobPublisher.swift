import Bus
import Domain
import Foundation
import Proto
import ServiceRuntime
import Store

/// Publishes recorded jobs to the trainer and scorer work queues, each under its job id as
/// `Nats-Msg-Id`, so a job published again (after a restart, or by a repeated step) is queued once.
///
/// `delivery` must be the workers' (`ACTIVESEG_JOB_*`): creating the queues also brings their
/// consumers to it, so an orchestrator with other settings would undo the workers' ack wait and
/// attempt limit each time it takes over.
struct JobPublisher: Sendable {
    let training: JobQueue<TrainJob, TrainResult>
    let scoring: JobQueue<ScoreJob, ScoreResult>

    init(jetStream: JetStream, subjectPrefix: String, delivery: JobDelivery) {
        training = JobQueue(TrainerRPC.train, jetStream: jetStream, subjectPrefix: subjectPrefix, delivery: delivery)
        scoring = JobQueue(ScorerRPC.score, jetStream: jetStream, subjectPrefix: subjectPrefix, delivery: delivery)
    }

    /// Creates the job and notice streams and both consumers, so jobs wait for workers that start later.
    func ensure() async throws {
        try await training.ensure()
        try await scoring.ensure()
    }

    func publish(_ jobs: [JobRecord]) async throws {
        for job in jobs where !job.state.isFinal {
            let id = job.id.wireForm
            switch job.kind {
            case .train: try await training.submit(try TrainJob(serializedBytes: job.payload), id: id)
            case .score: try await scoring.submit(try ScoreJob(serializedBytes: job.payload), id: id)
            }
        }
    }
}
