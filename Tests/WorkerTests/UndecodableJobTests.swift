import Domain
import Foundation
import Profiles
import Proto
import ServiceRuntime
import Store
import TestSupport
import Testing
import WorkerSupport

@testable import ScorerService
@testable import TrainerService

/// The real trainer and scorer meet a job message that is no protobuf ahead of a valid job: the
/// bad one is terminated and announced as failed, and the worker goes on to do the valid one.
@Suite(.serialized, .tags(.stack), .needsLocalStack) struct UndecodableJobTests {
    /// Field number 0 is invalid in every message, so these bytes decode as no job type.
    static let notProtobuf = Data([0x00, 0xff, 0xff, 0xff])

    @Test func trainerTerminatesAnUndecodableJobAndTrainsTheNext() async throws {
        try await WorkerFixture.with(train: 3, test: 0) { fixture in
            var parameters = ExperimentProfile.tiny.hyperParameters
            parameters.maxEpochs = 2
            parameters.earlyStopPatience = 2
            let id = try await fixture.recordJob(kind: "train", round: 0, payload: Data())
            let job = TrainJob.with {
                $0.jobID = id.wireForm
                $0.experimentID = fixture.experimentID.wireForm
                $0.datasetID = fixture.datasetID.wireForm
                $0.trainingCases = fixture.trainCases
                $0.seed = 4
                $0.hyperParameters = parameters
                $0.profile = .tiny
                $0.dropoutMode = .off
            }
            let environment = try await fixture.environment("trainer", instance: "trainer")
            try await terminateTheUndecodableThenDo(
                job, id: id, fixture: fixture, on: environment.queue(TrainerRPC.train),
                handler: TrainJobHandler(
                    loader: environment.loader, jobs: environment.jobs,
                    progress: ProgressPublisher(
                        connection: environment.connection,
                        configuration: environment.configuration)))
            #expect(try await ModelRepository.models(trainedBy: id, on: fixture.store).count == 1)
        }
    }

    @Test func scorerTerminatesAnUndecodableJobAndScoresTheNext() async throws {
        try await WorkerFixture.with(train: 1, test: 0) { fixture in
            let model = try await fixture.recordInitialModel(dropout: .off)
            let id = try await fixture.recordJob(kind: "score", round: 1, payload: Data())
            let job = ScoreJob.with {
                $0.jobID = id.wireForm
                $0.experimentID = fixture.experimentID.wireForm
                $0.round = 1
                $0.models = [model]
                $0.caseRef = fixture.trainCases[0]
                $0.method = .margins
                $0.role = .candidate
            }
            let environment = try await fixture.environment("scorer", instance: "scorer")
            try await terminateTheUndecodableThenDo(
                job, id: id, fixture: fixture, on: environment.queue(ScorerRPC.score),
                handler: ScoreJobHandler(
                    loader: environment.loader,
                    jobs: environment.jobs))
            #expect(try await fixture.count("scores") == 1)
        }
    }

    /// Queues the undecodable message, then `job`, and runs one worker until both are settled.
    private func terminateTheUndecodableThenDo<Handler: JobHandler>(
        _ job: Handler.Job, id: JobID, fixture: WorkerFixture, on queue: JobQueue<Handler.Job, Handler.Result>,
        handler: Handler
    ) async throws {
        try await queue.ensure()
        try await queue.jetStream.publish(Self.notProtobuf, to: queue.jobSubject, messageID: "undecodable")
        try await queue.submit(job, id: id.wireForm)
        let worker = RunningWorker.start(JobWorker(queue: queue, handler: handler, logger: WorkerTestSupport.logger))
        let notices = try await WorkerTestSupport.notices(queue, expecting: 2)
        try await worker.stop()

        try #require(notices.map(\.id) == ["undecodable", id.wireForm])
        if case .failure(let error) = notices[0].notice {
            #expect(error.code == .invalidArgument && error.message.contains(Handler.Job.protoMessageName))
        } else {
            Issue.record("the undecodable job was announced as done")
        }
        #expect((try? notices[1].notice.get()) != nil)
        #expect(try await queue.jetStream.streamState(queue.jobsStream).messages == 0)
        let state = try await fixture.jobState(id)
        #expect(state.state == "succeeded" && state.attempts == 1)
    }
}
