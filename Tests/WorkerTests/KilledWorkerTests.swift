import Domain
import Foundation
import Proto
import ServiceRuntime
import Store
import TestSupport
import Testing
import WorkerSupport

@testable import ScorerService
@testable import TrainerService

@Suite(.serialized, .tags(.stack), .needsLocalStack) struct KilledWorkerTests {
    /// Short, so a test sees a job of a dead worker come back within seconds.
    private static let ackWait = 2
    private static let delivery = JobDelivery(
        ackWait: .seconds(ackWait), heartbeat: .milliseconds(ackWait * 250),
        retryDelay: .seconds(ackWait))
    /// Dropout passes per score job that keep a tiny-profile case busy for about a second.
    private static let longScoringPasses: UInt32 = 300

    /// A trainer process killed (SIGKILL) while it trains leaves its job unacknowledged; after the
    /// ack wait another trainer trains it, and exactly one model is recorded.
    @Test func jobOfAKilledTrainerProcessIsTrainedByAnother() async throws {
        try await interruptTrainer(with: SIGKILL)
    }

    /// A trainer process told to stop (SIGTERM) while it trains hands its job back and exits
    /// cleanly; another trainer trains the job at once, and the hand-back is no attempt: the job
    /// ends with one, so restarting workers never exhausts a job's attempts.
    @Test func stoppedTrainerProcessHandsItsJobBack() async throws {
        try await interruptTrainer(with: SIGTERM)
    }

    private func interruptTrainer(with signal: Int32) async throws {
        try await WorkerFixture.with(train: 3, test: 0) { fixture in
            let (jobID, job) = try await fixture.recordLongTrainJob(epochs: 40, seed: 2)
            let environment = try await fixture.environment("trainer", instance: "survivor", delivery: Self.delivery)
            let queue = environment.queue(TrainerRPC.train)
            try await queue.ensure()
            try await WorkerProcess.with(
                "activeseg-trainer",
                environment: fixture.processEnvironment(ackWaitSeconds: Self.ackWait)
            ) { child in
                try await queue.submit(job, id: job.jobID)
                try await eventually("the trainer process to start the job") {
                    try await fixture.jobState(jobID).state == "running"
                }
                let end = try await child.end(with: signal)
                if signal == SIGTERM {
                    #expect(end.reason == .exit && end.status == 0)
                } else {
                    #expect(end.reason == .uncaughtSignal)
                }
            }
            #expect(try await ModelRepository.models(trainedBy: jobID, on: fixture.store).isEmpty)
            // Handing back or dying is no failure of the job.
            #expect(try await fixture.lastError(jobID) == nil)
            let interrupted = try await fixture.jobState(jobID)
            if signal == SIGTERM {
                #expect(interrupted.state == "queued" && interrupted.attempts == 0, "\(interrupted)")
            } else {
                #expect(interrupted.state == "running" && interrupted.attempts == 1, "\(interrupted)")
            }

            let survivor = RunningWorker.start(
                JobWorker(
                    queue: queue,
                    handler: TrainJobHandler(
                        loader: environment.loader, jobs: environment.jobs,
                        progress: ProgressPublisher(
                            connection: environment.connection,
                            configuration: environment.configuration)),
                    logger: WorkerTestSupport.logger))
            let notices = try await WorkerTestSupport.notices(queue, expecting: 1)
            try await survivor.stop()
            #expect(notices.map(\.id) == [job.jobID])
            let state = try await fixture.jobState(jobID)
            #expect(state.state == "succeeded" && state.attempts == (signal == SIGTERM ? 1 : 2))
            #expect(try await ModelRepository.models(trainedBy: jobID, on: fixture.store).count == 1)
            #expect(try await queue.jetStream.streamState(queue.jobsStream).messages == 0)
        }
    }

    /// A scorer process killed (SIGKILL) while it scores one of four jobs leaves that job
    /// unacknowledged; a surviving scorer scores the other three and, after the ack wait, the
    /// killed one: every job succeeds and every case has exactly one score or Dice.
    @Test func jobOfAKilledScorerProcessIsScoredOnceByAnother() async throws {
        try await WorkerFixture.with(train: 3, test: 1) { fixture in
            let model = try await fixture.recordInitialModel(dropout: .train)
            var jobs: [JobID: ScoreJob] = [:]
            for (caseRef, evaluate) in fixture.trainCases.map({ ($0, false) }) + fixture.testCases.map({ ($0, true) }) {
                var job = ScoreJob.with {
                    $0.experimentID = fixture.experimentID.wireForm
                    $0.round = evaluate ? 0 : 1
                    $0.models = [model]
                    $0.caseRef = caseRef
                    $0.method = .dropoutTrainTest
                    // Enough stochastic passes that the process is still scoring when it is killed.
                    $0.passes = Self.longScoringPasses
                    $0.topFraction = 0.01
                    $0.seed = 9
                    $0.role = evaluate ? .test : .candidate
                }
                let id = try await fixture.recordJob(
                    kind: "score", round: Int(job.round), payload: try job.serializedData())
                job.jobID = id.wireForm
                jobs[id] = job
            }

            let environment = try await fixture.environment("scorer", instance: "survivor", delivery: Self.delivery)
            let queue = environment.queue(ScorerRPC.score)
            try await queue.ensure()
            var childEnvironment = fixture.processEnvironment(ackWaitSeconds: Self.ackWait)
            childEnvironment["ACTIVESEG_CONCURRENCY"] = "1"
            try await WorkerProcess.with("activeseg-scorer", environment: childEnvironment) { child in
                for (_, job) in jobs.sorted(by: { $0.value.caseRef.caseID < $1.value.caseRef.caseID }) {
                    try await queue.submit(job, id: job.jobID)
                }
                try await within("the scorer process to start a job") {
                    while try await fixture.jobs(in: "running").isEmpty {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                #expect(try await child.end(with: SIGKILL).reason == .uncaughtSignal)
            }
            // The process died holding one job, whose row it left running: the job seen running
            // may have finished before the signal landed on a loaded machine, so the one killed is
            // read after the kill. It left no result row, and each job finished before left one.
            let held = try await fixture.jobs(in: "running")
            #expect(held.count == 1)
            let killed = try #require(held.first)
            let finishedBeforeKill = try await fixture.jobs(in: "succeeded")
            #expect(!finishedBeforeKill.contains(killed))
            #expect(try await fixture.count("scores") + fixture.count("evaluations") == finishedBeforeKill.count)
            #expect(try await fixture.lastError(killed) == nil)

            let survivor = RunningWorker.start(
                JobWorker(
                    queue: queue, handler: ScoreJobHandler(loader: environment.loader, jobs: environment.jobs),
                    logger: WorkerTestSupport.logger))
            let notices = try await WorkerTestSupport.notices(queue, expecting: jobs.count)
            try await survivor.stop()

            #expect(notices.map(\.id).sorted() == jobs.values.map(\.jobID).sorted())
            #expect(notices.allSatisfy { (try? $0.notice.get()) != nil })
            #expect(try await queue.jetStream.streamState(queue.resultsStream).messages == UInt64(jobs.count))
            #expect(try await queue.jetStream.streamState(queue.jobsStream).messages == 0)
            for (id, job) in jobs {
                let state = try await fixture.jobState(id)
                #expect(state.state == "succeeded", "job of case \(job.caseRef.caseID)")
                #expect(state.attempts == (id == killed ? 2 : 1), "job of case \(job.caseRef.caseID)")
            }
            let scored = try await fixture.store.query("SELECT case_id FROM scores").map {
                try $0.decode("case_id", as: CaseID.self)
            }
            let evaluated = try await fixture.store.query("SELECT case_id FROM evaluations")
                .map { try $0.decode("case_id", as: CaseID.self) }
            #expect(scored.sorted() == fixture.trainCases.compactMap { CaseID(wireForm: $0.caseID) }.sorted())
            #expect(evaluated == fixture.testCases.compactMap { CaseID(wireForm: $0.caseID) })
        }
    }
}
