import Domain
import Foundation
import Profiles
import Proto
import ServiceRuntime
import TestSupport
import Testing
import WorkerSupport

@testable import ScorerService
@testable import TrainerService

/// Jobs whose spec values lie outside `ExperimentSpecLimits` fail with the limit's reason, before
/// any computation could reach a precondition of the network.
@Suite(.serialized, .tags(.stack), .needsLocalStack) struct JobLimitTests {
    @Test func aTrainJobWithDropoutRateOneFailsNamingTheLimit() async throws {
        try await WorkerFixture.with(train: 2, test: 0) { fixture in
            var parameters = ExperimentProfile.tiny.hyperParameters
            parameters.dropoutRate = 1
            let id = try await fixture.recordJob(kind: "train", round: 0, payload: Data())
            let job = TrainJob.with {
                $0.experimentID = fixture.experimentID.wireForm
                $0.datasetID = fixture.datasetID.wireForm
                $0.trainingCases = fixture.trainCases
                $0.hyperParameters = parameters
                $0.profile = .tiny
                $0.dropoutMode = .train
            }
            let error = try await Self.trainerRefusal(job, id: id, fixture: fixture)
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == "hyper_parameters.dropout_rate is 1.0, outside its limit: 0.0…0.9")
            #expect(try await fixture.jobState(id).attempts == 0, "refused before the attempt starts")
        }
    }

    @Test func aTrainJobWithoutItsDatasetIsRefusedBeforeItsAttempt() async throws {
        try await WorkerFixture.with(train: 2, test: 0) { fixture in
            let id = try await fixture.recordJob(kind: "train", round: 0, payload: Data())
            let job = TrainJob.with {
                $0.experimentID = fixture.experimentID.wireForm
                $0.trainingCases = fixture.trainCases
                $0.profile = .tiny
                $0.dropoutMode = .off
            }
            let error = try await Self.trainerRefusal(job, id: id, fixture: fixture)
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == "dataset_id must be a UUID, got ''")
            #expect(try await fixture.jobState(id).attempts == 0, "refused before the attempt starts")
        }
    }

    /// What a trainer answers `job` (recorded as `id`) with, which the test expects to be a refusal.
    private static func trainerRefusal(_ job: TrainJob, id: JobID, fixture: WorkerFixture) async throws -> RPCError? {
        let environment = try await fixture.environment("trainer", instance: "trainer")
        let handler = TrainJobHandler(
            loader: environment.loader, jobs: environment.jobs,
            progress: ProgressPublisher(connection: environment.connection, configuration: environment.configuration))
        let error = await #expect(throws: RPCError.self) {
            try await handler.handle(job, id: id.wireForm, delivery: 1, logger: WorkerTestSupport.logger)
        }
        await environment.connection.close()
        return error
    }

    @Test func aScoreJobWithTooManyPassesFailsNamingTheLimit() async throws {
        try await WorkerFixture.with(train: 1, test: 0) { fixture in
            let model = try await fixture.recordInitialModel(dropout: .train)
            let id = try await fixture.recordJob(kind: "score", round: 1, payload: Data())
            let job = ScoreJob.with {
                $0.experimentID = fixture.experimentID.wireForm
                $0.round = 1
                $0.models = [model]
                $0.caseRef = fixture.trainCases[0]
                $0.method = .dropoutTrainTest
                $0.role = .candidate
                $0.passes = 1_000_000
            }
            let error = try await Self.scorerRefusal(job, id: id, fixture: fixture)
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == "passes is 1000000, outside its limit: 0…1000")
            #expect(error?.details["field"] == "passes" && error?.details["limit"] == "0…1000")
        }
    }

    @Test(arguments: [(Proto.CaseRole.unspecified, 1), (.candidate, 0)])
    func aScoreJobWhoseRoleItCannotHaveIsRefusedBeforeItsAttempt(role: Proto.CaseRole, round: Int) async throws {
        try await WorkerFixture.with(train: 1, test: 0) { fixture in
            let model = try await fixture.recordInitialModel(dropout: .train)
            let id = try await fixture.recordJob(kind: "score", round: round, payload: Data())
            let job = ScoreJob.with {
                $0.experimentID = fixture.experimentID.wireForm
                $0.round = UInt32(round)
                $0.models = [model]
                $0.caseRef = fixture.trainCases[0]
                $0.method = .dropoutTrainTest
                $0.role = role
            }
            let error = try await Self.scorerRefusal(job, id: id, fixture: fixture)
            #expect(error?.code == .invalidArgument)
            #expect(
                error?.message
                    == (role == .unspecified
                        ? "the job does not state the case's role"
                        : "round 0 selects at random; scores belong to rounds from 1 on"))
            #expect(try await fixture.jobState(id).attempts == 0, "refused before the attempt starts")
        }
    }

    /// What a scorer answers `job` (recorded as `id`) with, which the test expects to be a refusal.
    private static func scorerRefusal(_ job: ScoreJob, id: JobID, fixture: WorkerFixture) async throws -> RPCError? {
        let environment = try await fixture.environment("scorer", instance: "scorer")
        let handler = ScoreJobHandler(loader: environment.loader, jobs: environment.jobs)
        let error = await #expect(throws: RPCError.self) {
            try await handler.handle(job, id: id.wireForm, delivery: 1, logger: WorkerTestSupport.logger)
        }
        await environment.connection.close()
        return error
    }
}
