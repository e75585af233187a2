import Bus
import Domain
import Foundation
import Orchestration
import Proto
import ServiceRuntime
import Store
import TestSupport
import Testing

@testable import OrchestratorService

/// The leader's periodic pass over the jobs: a job recorded but never queued is published again,
/// one running past its time limit is failed, so an experiment survives a NATS outage; the limits
/// read from the environment.
@Suite(.serialized, .tags(.stack), .needsLocalStack)
struct JobWatchTests {
    /// Small, so the tests take seconds: a pass every second, republishing after two.
    static let watch: JobWatch = {
        var watch = JobWatch()
        watch.sweepInterval = .seconds(1)
        watch.republishAfter = .seconds(2)
        return watch
    }()

    /// A job row committed after the leader took over and never published (as when a publish
    /// after the commit fails) reaches the queue through the leader's pass, not only at takeover.
    @Test func aQueuedJobWithoutAMessageIsPublishedByThePeriodicPass() async throws {
        try await Deployment.with { deployment in
            let orchestrator = try await deployment.orchestrator("orch-a", watch: Self.watch)
            let client = try await deployment.client()
            try await deployment.waitUntilServing(client, OrchestratorRPC.ping)
            let (_, connection) = try await deployment.connect("observer", instance: "observer")
            let queue = JobQueue(
                TrainerRPC.train, jetStream: try JetStream(connection: connection),
                subjectPrefix: deployment.prefix)
            // Past the takeover's republishing: the leader serves, and its first pass is a second away.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await queue.jetStream.streamState(queue.jobsStream).messages == 0)
            _ = try await JobRepository.enqueue(
                [
                    JobRecord(
                        id: .random(), key: "reference/\(UUID())", kind: .train, experimentID: nil, roundIndex: nil,
                        payload: try TrainJob().serializedData())
                ], on: deployment.database.client)

            try await within(Deployment.timeout, "the pass to publish the job") {
                while try await queue.jetStream.streamState(queue.jobsStream).messages == 0 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            // Published again on every later pass, it is still stored once.
            try await Task.sleep(for: .seconds(2))
            #expect(try await queue.jetStream.streamState(queue.jobsStream).messages == 1)
            await connection.close()
            await client.connection.close()
            try await orchestrator.stop()
        }
    }

    /// A job whose worker took it and went on past its kind's time limit (a hung worker keeps
    /// reporting it in progress, so the queue never offers it again) is failed by the pass.
    @Test func aJobRunningPastItsTimeLimitIsFailedWithTheReason() async throws {
        try await Deployment.with { deployment in
            var watch = Self.watch
            watch.timeLimits.train = .seconds(1)
            let orchestrator = try await deployment.orchestrator("orch-a", watch: watch)
            let database = deployment.database.client
            let job = try await JobRepository.enqueue(
                [
                    JobRecord(
                        id: .random(), key: "reference/\(UUID())", kind: .train, experimentID: nil, roundIndex: nil,
                        payload: try TrainJob().serializedData())
                ], on: database)[0]
            #expect(try await JobRepository.startAttempt(job.id, worker: "trainer-1", on: database) == .queued)
            let failed = try await within(Deployment.timeout, "the pass to fail the job") {
                while true {
                    if let stored = try await JobRepository.job(job.id, on: database), stored.state == .failed {
                        return stored
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(failed.lastError == "ran past 1 s")
            try await orchestrator.stop()
        }
    }

    /// NATS stops right after `Start` and is back about 10 s later: steps taken meanwhile commit
    /// jobs whose publish fails, the leader's pass publishes them again, and the experiment finishes.
    @Test func anExperimentFinishesAfterNATSWasDownForTenSeconds() async throws {
        let server = try PrivateNATSServer()
        try await server.start()
        try await Deployment.with { shared in
            var deployment = shared
            deployment.natsURL = server.url
            let cohort = try await CohortFixture.store(train: 10, test: 4, on: deployment.database.client)
            var groups = try await deployment.selectorAndStats()
            groups.append(try await deployment.workers(datasetID: cohort.dataset.id))
            groups.append(try await deployment.orchestrator("orch-a", watch: Self.watch))
            let client = try await deployment.client()
            let id = ExperimentID.random().wireForm
            _ = try await deployment.createWhenLeading(
                client, id, spec: OrchestratorServiceTests.spec(datasetID: cohort.dataset.id, strategy: .margins))
            _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))

            server.stop()
            try await Task.sleep(for: .seconds(10))
            try await server.start()

            let finished = try await deployment.waitForStatus(client, id, "the experiment to finish") {
                $0.state == .finished || $0.state == .failed
            }
            #expect(finished.state == .finished, "\(finished.failureReason)")
            #expect(finished.round == 2 && finished.annotatedCases == 8)
            #expect(try await JobRepository.unfinished(on: deployment.database.client).isEmpty)
            await client.connection.close()
            for group in groups.reversed() { try await group.stop() }
        }
        server.stop()
    }

    @Test func limitsComeFromTheEnvironmentWithDocumentedDefaults() throws {
        let defaults = try JobWatch(environment: [:])
        #expect(defaults == JobWatch())
        #expect(defaults.sweepInterval == .seconds(30) && defaults.republishAfter == .seconds(120))
        #expect(defaults.timeLimits.reason(for: .train) == "ran past 24 h")
        #expect(defaults.timeLimits.reason(for: .score) == "ran past 1 h")
        let set = try JobWatch(environment: [
            "ACTIVESEG_ORCHESTRATOR_SWEEP": "5", "ACTIVESEG_JOB_REPUBLISH_AFTER": "7",
            "ACTIVESEG_TRAIN_JOB_TIME_LIMIT": "1800", "ACTIVESEG_SCORE_JOB_TIME_LIMIT": "90",
        ])
        #expect(set.sweepInterval == .seconds(5) && set.republishAfter == .seconds(7))
        #expect(set.timeLimits.reason(for: .train) == "ran past 30 min")
        #expect(set.timeLimits.reason(for: .score) == "ran past 90 s")
        #expect(throws: ServiceConfigurationError.self) {
            try JobWatch(environment: ["ACTIVESEG_SCORE_JOB_TIME_LIMIT": "soon"])
        }
    }
}
