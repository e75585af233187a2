import Foundation
import Profiles
import Proto
import ServiceRuntime
import Store
import Testing
@testable import TrainerService
import WorkerSupport

@Suite(.serialized) struct KilledWorkerTests {
    /// The built `activeseg-trainer`, beside the test bundle in the build folder.
    private var trainerExecutable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("activeseg-trainer")
    }

    /// A trainer process killed (SIGKILL) while it trains leaves its job unacknowledged; after the
    /// ack wait another trainer trains it, and exactly one model is recorded.
    @Test func jobOfAKilledTrainerProcessIsTrainedByAnother() async throws {
        try await interruptTrainer(with: SIGKILL)
    }

    /// A trainer process told to stop (SIGTERM) while it trains hands its job back and exits
    /// cleanly; another trainer trains the job.
    @Test func stoppedTrainerProcessHandsItsJobBack() async throws {
        try await interruptTrainer(with: SIGTERM)
    }

    private func interruptTrainer(with signal: Int32) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: trainerExecutable.path),
                     "build activeseg-trainer first (swift build --build-tests builds it)")
        let fixture = try await WorkerFixture.make(train: 3, test: 0)
        let child = Process()
        do {
            try await interruptAndRedeliver(fixture, child: child, signal: signal)
        } catch {
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
            try await fixture.tearDown()
            throw error
        }
        try await fixture.tearDown()
    }

    private func interruptAndRedeliver(_ fixture: WorkerFixture, child: Process, signal: Int32) async throws {
        let ackWait = 2
        let delivery = JobDelivery(ackWait: .seconds(ackWait), heartbeat: .milliseconds(ackWait * 250),
                                   retryDelay: .seconds(ackWait))
        var parameters = ExperimentProfile.tiny.hyperParameters
        // Long enough that the process is still training when it is killed.
        parameters.maxEpochs = 40
        parameters.earlyStopPatience = 40
        var job = TrainJob.with {
            $0.experimentID = fixture.experimentID.uuidString.lowercased()
            $0.trainingCases = fixture.trainCases
            $0.seed = 2
            $0.hyperParameters = parameters
            $0.profile = .tiny
            $0.dropoutMode = .off
        }
        let jobID = try await fixture.recordJob(kind: "train", round: 0, payload: try job.serializedData())
        job.jobID = jobID.uuidString.lowercased()

        let environment = try await fixture.environment("trainer", instance: "survivor", delivery: delivery)
        let queue = environment.queue(TrainerRPC.train)
        try await queue.ensure()
        child.executableURL = trainerExecutable
        child.environment = fixture.processEnvironment(ackWaitSeconds: ackWait)
        child.standardOutput = FileHandle.nullDevice
        try child.run()
        try await queue.submit(job, id: job.jobID)
        try await eventually("the trainer process to start the job") {
            try await fixture.jobState(jobID).state == "running"
        }
        kill(child.processIdentifier, signal)
        child.waitUntilExit()
        if signal == SIGTERM {
            #expect(child.terminationReason == .exit && child.terminationStatus == 0)
        } else {
            #expect(child.terminationReason == .uncaughtSignal)
        }
        #expect(try await fixture.store.models(trainedBy: jobID).isEmpty)
        // Handing back or dying is no failure of the job.
        #expect(try await fixture.store.query("SELECT last_error FROM jobs WHERE id = \(jobID)")[0]
            .decode("last_error", as: String?.self) == nil)

        let survivor = RunningWorker.start(JobWorker(
            queue: queue,
            handler: TrainJobHandler(loader: environment.loader, jobs: environment.jobs,
                                     progress: ProgressPublisher(connection: environment.connection,
                                                                 configuration: environment.configuration)),
            logger: WorkerTestSupport.logger))
        let notices = try await WorkerTestSupport.notices(queue, expecting: 1)
        try await survivor.stop()
        #expect(notices.map(\.id) == [job.jobID])
        let state = try await fixture.jobState(jobID)
        #expect(state.state == "succeeded" && state.attempts == 2)
        #expect(try await fixture.store.models(trainedBy: jobID).count == 1)
    }
}
