import Domain
import Foundation
import Proto
import TestSupport
import Testing

@Suite(.serialized, .tags(.stack), .needsLocalStack) struct PoisonJobTests {
    /// Short, so a dead worker's job comes back within seconds.
    private static let ackWait = 2
    private static let attempts = 3

    /// A score job that kills every scorer process taking it (SIGKILL, as the kernel's
    /// out-of-memory killer ends one) gets its attempts and no more: the scorer that receives it
    /// after the last marks it failed with the reason, and the orchestrator fails the experiment
    /// with it instead of waiting forever.
    @Test func aJobThatKillsEveryWorkerTakingItFailsItsExperimentWithTheReason() async throws {
        try await WorkerFixture.with(train: 3, test: 0) { fixture in
            // Enough stochastic passes that the scorer is still on the job when it is killed.
            let jobID = try await fixture.recordRunningScoreJob(passes: 1000)

            var environment = fixture.processEnvironment(ackWaitSeconds: Self.ackWait)
            environment["ACTIVESEG_JOB_MAX_ATTEMPTS"] = String(Self.attempts)
            environment["ACTIVESEG_CONCURRENCY"] = "1"
            let started = ContinuousClock.now
            // The orchestrator publishes the recorded job when it takes the lead.
            try await WorkerProcess.with("activeseg-orchestrator", environment: environment) { _ in
                for attempt in 1...Self.attempts {
                    try await WorkerProcess.with("activeseg-scorer", environment: environment) { scorer in
                        try await eventually("a scorer to take the job (attempt \(attempt))") {
                            try await fixture.jobState(jobID).attempts >= attempt
                        }
                        #expect(try await scorer.end(with: SIGKILL).reason == .uncaughtSignal)
                    }
                }
                try await WorkerProcess.with("activeseg-scorer", environment: environment) { _ in
                    try await eventually("the orchestrator to fail the experiment") {
                        try await Self.status(of: fixture).status == "failed"
                    }
                }
            }
            // Each death costs an ack wait before the next delivery; the bound leaves room for
            // process starts on a loaded machine.
            #expect(ContinuousClock.now - started < .seconds(Self.attempts * (Self.ackWait + 15)))
            let state = try await fixture.jobState(jobID)
            #expect(state.state == "failed" && state.attempts == Self.attempts)
            let reason = try #require(try await fixture.lastError(jobID))
            #expect(reason.contains("worker died on it: \(Self.attempts) attempts"), "\(reason)")
            #expect(try await Self.status(of: fixture).reason == "round 1: \(reason)")
            #expect(try await fixture.count("scores") == 0)
        }
    }

    private static func status(of fixture: WorkerFixture) async throws -> (status: String, reason: String?) {
        let row = try await fixture.store.query(
            "SELECT status, failure_reason FROM experiments WHERE id = \(fixture.experimentID)")[0]
        return (try row.decode("status"), try row.decode("failure_reason", as: String?.self))
    }
}
