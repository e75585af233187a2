import Domain
import Foundation
import Profiles
import Proto
import Store
import TestSupport
import Testing
import WorkerSupport

@testable import ScorerService
@testable import TrainerService

/// A worker process whose jobs keep every core busy still tells the server, every heartbeat, that
/// they are in progress: the training and inference run on threads of their own, not on Swift's
/// cooperative pool, whose threads (one per core) carry the heartbeats.
///
/// The first process computes on two threads per job with an ack wait of one second, and its jobs
/// take many ack waits: a trainer trains one model at a time, a scorer here scores two cases at
/// once (`ACTIVESEG_CONCURRENCY=2`), so that its jobs would hold both threads of the cooperative
/// pool if they computed there. A second process of the same kind is started once every job is
/// running: a heartbeat that did not arrive within the ack wait would have the server redeliver the
/// job to it, and it would compute the job a second time (a second attempt in the `jobs` row). Each
/// job must end with one attempt and one outcome.
@Suite(.serialized, .tags(.stack), .needsLocalStack) struct HeartbeatUnderLoadTests {
    private static let ackWait = 1

    @Test func busyTrainerKeepsItsJobs() async throws {
        try await WorkerFixture.with(train: 3, test: 0) { fixture in
            // Several seconds of training on both cores.
            let (id, job) = try await fixture.recordLongTrainJob(epochs: 60, seed: 3)
            let environment = try await fixture.environment("trainer", instance: "submitter")
            let queue = environment.queue(TrainerRPC.train)
            try await queue.ensure()
            try await runUnderLoad("activeseg-trainer", fixture: fixture, jobIDs: [id]) {
                try await queue.submit(job, id: job.jobID)
            }
            #expect(try await ModelRepository.models(trainedBy: id, on: fixture.store).count == 1)
        }
    }

    @Test func busyScorerKeepsItsJobs() async throws {
        try await WorkerFixture.with(train: 2, test: 0) { fixture in
            let model = try await fixture.recordInitialModel(dropout: .train)
            var jobs: [JobID: ScoreJob] = [:]
            for caseRef in fixture.trainCases {
                var job = ScoreJob.with {
                    $0.experimentID = fixture.experimentID.wireForm
                    $0.round = 1
                    $0.models = [model]
                    $0.caseRef = caseRef
                    $0.method = .dropoutTrainTest
                    $0.role = .candidate
                    // Several seconds of stochastic passes per case with both cores shared by the two.
                    $0.passes = ExperimentSpecLimits.passes.range.upperBound
                    $0.topFraction = 0.01
                    $0.seed = 9
                }
                let id = try await fixture.recordJob(kind: "score", round: 1, payload: try job.serializedData())
                job.jobID = id.wireForm
                jobs[id] = job
            }
            let environment = try await fixture.environment("scorer", instance: "submitter")
            let queue = environment.queue(ScorerRPC.score)
            try await queue.ensure()
            try await runUnderLoad("activeseg-scorer", fixture: fixture, jobIDs: Array(jobs.keys)) {
                for job in jobs.values { try await queue.submit(job, id: job.jobID) }
            }
            #expect(try await fixture.count("scores") == jobs.count)
        }
    }

    /// Starts the busy process, submits the jobs, starts the idle process once the busy one runs
    /// them all, and waits until every job has succeeded; each must have taken one attempt.
    private func runUnderLoad(
        _ executable: String, fixture: WorkerFixture, jobIDs: [JobID],
        submit: () async throws -> Void
    ) async throws {
        var busy = fixture.processEnvironment(ackWaitSeconds: Self.ackWait)
        busy["ACTIVESEG_INSTANCE"] = "busy"
        busy["ACTIVESEG_CONCURRENCY"] = String(jobIDs.count)
        busy["ACTIVESEG_COMPUTE_THREADS"] = "2"
        var idle = busy
        idle["ACTIVESEG_INSTANCE"] = "idle"
        try await WorkerProcess.with(executable, environment: busy) { _ in
            try await submit()
            try await eventually("the busy process to run every job") {
                try await fixture.jobs(in: "running").count == jobIDs.count
            }
            try await WorkerProcess.with(executable, environment: idle) { _ in
                try await eventually("every job to succeed") {
                    try await fixture.jobs(in: "succeeded").count == jobIDs.count
                }
            }
        }
        for id in jobIDs {
            let state = try await fixture.jobState(id)
            #expect(
                state.state == "succeeded" && state.attempts == 1,
                "a job taken over after a missed heartbeat has a second attempt")
        }
    }
}
