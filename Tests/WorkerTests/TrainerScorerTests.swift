import ActiveLearning
import Artifacts
import Bus
import Domain
import Foundation
import Neural
import Profiles
import Proto
import ServiceRuntime
import Store
import TestSupport
import Testing
import WorkerSupport

@testable import ScorerService
@testable import TrainerService

@Suite(.serialized, .tags(.stack), .needsLocalStack) struct TrainerScorerTests {
    /// Trains a tiny dropout-train-test model on four cases, then lets two scorers share the score
    /// jobs of the pool and the evaluation of a test case.
    @Test func trainedModelIsStoredAndScoredByTwoScorers() async throws {
        try await WorkerFixture.with(train: 6, test: 1) { try await trainAndScore($0) }
    }

    private func trainAndScore(_ fixture: WorkerFixture) async throws {
        let profile = ExperimentProfile.tiny
        let annotated = Array(fixture.trainCases.prefix(4))
        let pool = Array(fixture.trainCases.dropFirst(4))
        var trainJob = TrainJob.with {
            $0.experimentID = fixture.experimentID.wireForm
            $0.datasetID = fixture.datasetID.wireForm
            $0.round = 0
            $0.trainingCases = annotated
            $0.seed = 11
            $0.hyperParameters = profile.hyperParameters
            $0.profile = .tiny
            $0.dropoutMode = .train
        }
        let trainJobID = try await fixture.recordJob(kind: "train", round: 0, payload: try trainJob.serializedData())
        trainJob.jobID = trainJobID.wireForm

        let trainerEnvironment = try await fixture.environment("trainer", instance: "trainer-1")
        let progressSubject = trainerEnvironment.configuration.prefixed(
            try EventSubject.subject(for: TrainProgress.self, scope: trainJob.experimentID))
        let progress = try await trainerEnvironment.connection.subscribe(to: progressSubject)
        try await trainerEnvironment.connection.flush()
        let trainQueue = trainerEnvironment.queue(TrainerRPC.train)
        try await trainQueue.ensure()
        let trainer = RunningWorker.start(
            JobWorker(
                queue: trainQueue,
                handler: TrainJobHandler(
                    loader: trainerEnvironment.loader, jobs: trainerEnvironment.jobs,
                    progress: ProgressPublisher(
                        connection: trainerEnvironment.connection,
                        configuration: trainerEnvironment.configuration)),
                logger: WorkerTestSupport.logger))
        try await trainQueue.submit(trainJob, id: trainJob.jobID)
        let trainNotices = try await WorkerTestSupport.notices(trainQueue, expecting: 1)
        try await trainer.stop()

        let trainResult = try trainNotices[0].notice.get()
        #expect(trainNotices[0].id == trainJob.jobID)
        let trainState = try await fixture.jobState(trainJobID)
        #expect(trainState.state == "succeeded" && trainState.attempts == 1)
        let models = try await ModelRepository.models(trainedBy: trainJobID, on: fixture.store)
        try #require(models.count == 1)
        let model = models[0]
        #expect(model.id.wireForm == trainResult.model.modelID)
        #expect(model.experimentID == fixture.experimentID && model.roundIndex == 0 && model.profile == .tiny)
        #expect(model.datasetID == fixture.datasetID, "recorded under the job's dataset")
        #expect(
            model.epochs == Int(trainResult.metrics.epochs) && model.epochs >= 1
                && model.epochs <= profile.training.maximumEpochs)
        #expect(model.trainingCaseCount == 3)
        let checkpoint = try Checkpoint.decode(
            try fixture.artifacts.get(try #require(ArtifactID(sha256: model.checkpointSHA256))))
        #expect(checkpoint.network.config == profile.network(dropout: .train, rate: profile.training.dropoutRate))
        #expect(checkpoint.metadata["job_id"] == trainJob.jobID)
        var progressEvents = 0
        for await message in progress {
            let event = try EventEnvelope<TrainProgress>(decoding: message).body
            #expect(event.jobID == trainJob.jobID)
            progressEvents += 1
            if progressEvents == model.epochs { break }
        }

        // Score the pool and evaluate the test case with two scorers on their own connections.
        let modelRef = trainResult.model
        var scoreJobs: [(id: JobID, job: ScoreJob)] = []
        for (caseRef, evaluate) in pool.map({ ($0, false) }) + fixture.testCases.map({ ($0, true) }) {
            var job = ScoreJob.with {
                $0.experimentID = fixture.experimentID.wireForm
                $0.round = evaluate ? 0 : 1
                $0.models = [modelRef]
                $0.caseRef = caseRef
                $0.method = .dropoutTrainTest
                $0.passes = 4
                $0.topFraction = 0.01
                $0.seed = 5
                $0.role = evaluate ? .test : .candidate
            }
            let id = try await fixture.recordJob(
                kind: "score", round: Int(job.round), payload: try job.serializedData())
            job.jobID = id.wireForm
            scoreJobs.append((id, job))
        }
        var scorers: [RunningWorker] = []
        var scoreQueue: JobQueue<ScoreJob, ScoreResult>?
        for instance in ["scorer-1", "scorer-2"] {
            let environment = try await fixture.environment("scorer", instance: instance)
            let queue = environment.queue(ScorerRPC.score)
            try await queue.ensure()
            scoreQueue = queue
            scorers.append(
                RunningWorker.start(
                    JobWorker(
                        queue: queue, handler: ScoreJobHandler(loader: environment.loader, jobs: environment.jobs),
                        logger: WorkerTestSupport.logger)))
        }
        let queue = try #require(scoreQueue)
        for (_, job) in scoreJobs { try await queue.submit(job, id: job.jobID) }
        let scoreNotices = try await WorkerTestSupport.notices(queue, expecting: scoreJobs.count)
        for scorer in scorers { try await scorer.stop() }

        #expect(Set(scoreNotices.map(\.id)) == Set(scoreJobs.map(\.job.jobID)))
        let bottleneck = profile.network.channels(atLevel: profile.network.levels - 1)
        for (id, job) in scoreJobs {
            let state = try await fixture.jobState(id)
            #expect(state.state == "succeeded" && state.attempts == 1)
            let caseID = try #require(CaseID(wireForm: job.caseRef.caseID))
            if job.role == .test {
                let dice = try #require(try await EvaluationRepository.dice(of: model.id, on: fixture.store)[caseID])
                #expect(dice >= 0 && dice <= 1)
            } else {
                let score = try #require(
                    try await ScoreRepository.score(
                        experimentID: fixture.experimentID, roundIndex: 1, caseID: caseID, on: fixture.store))
                #expect(score.value.isFinite && score.value >= 0)
                #expect(score.method == "dropout-train-test")
                #expect(score.features.count == bottleneck)
                let finite = score.features.allSatisfy { $0.isFinite }
                #expect(finite)
            }
        }
        for notice in scoreNotices {
            let result = try notice.notice.get()
            #expect(result.features.count == bottleneck)
            #expect(result.probability.totalVoxels > 0)
            #expect(result.hasDice == fixture.testCases.contains { $0.caseID == result.caseID })
            // Scoring runs the method's dropout passes; evaluation one deterministic pass, whatever
            // the method, so its map has no variance.
            if result.hasDice {
                #expect(result.probability.maxVariance == 0, "evaluated with dropout on")
            } else {
                #expect(result.probability.maxVariance > 0, "scored without dropout passes")
            }
        }
    }

    @Test("a bootstrap member trains on a seeded with-replacement resample")
    func bootstrapResample() {
        let cases = (0..<10).map { index in CaseRef.with { $0.caseID = "case-\(index)" } }
        func job(member: UInt32?) -> TrainJob {
            TrainJob.with {
                $0.trainingCases = cases
                $0.seed = 3
                if let member { $0.bootstrapMember = member }
            }
        }
        let plain = TrainingSet(job: job(member: nil), validationFraction: 0.2)
        let first = TrainingSet(job: job(member: 0), validationFraction: 0.2)
        let second = TrainingSet(job: job(member: 1), validationFraction: 0.2)
        #expect(plain.validation.count == 2 && plain.training.count == 8)
        #expect(Set(plain.training).isDisjoint(with: plain.validation))
        #expect(first.validation == plain.validation && second.validation == plain.validation)
        #expect(first.training.count == 8 && Set(first.training).isSubset(of: plain.training))
        #expect(first.training != second.training)
        #expect(first == TrainingSet(job: job(member: 0), validationFraction: 0.2))
    }

    @Test("a member of the full-data reference trains on every case, differing only by its seed")
    func referenceMemberKeepsEveryCase() {
        let cases = (0..<10).map { index in CaseRef.with { $0.caseID = "case-\(index)" } }
        let plain = TrainJob.with {
            $0.trainingCases = cases
            $0.seed = 3
        }
        let member = TrainJob.with {
            $0 = plain
            $0.referenceMember = 2
        }
        #expect(TrainingSet(job: member, validationFraction: 0.2) == TrainingSet(job: plain, validationFraction: 0.2))
        #expect(member.ensembleMember == 2 && plain.ensembleMember == nil)
    }

    @Test(
        "the same cases under other ids give the same sample, by name, in the same order",
        arguments: [(nil as UInt32?, false), (0, false), (1, true)])
    func sampleFollowsTheJobsOrderNotTheIds(member: UInt32?, validated: Bool) {
        let names = (0..<10).map { "Synth_\($0)" }
        // One cohort imported twice: the second import's ids sort the other way round.
        let imports = [names.indices.map { "a-\($0)" }, names.indices.map { "b-\(names.count - $0)" }]
        let samples = imports.map { ids in
            let nameOf = Dictionary(uniqueKeysWithValues: zip(ids, names))
            let refs = ids.map { id in CaseRef.with { $0.caseID = id } }
            let sample = TrainingSet(
                job: TrainJob.with {
                    $0.trainingCases = validated ? Array(refs.dropFirst(2)) : refs
                    if validated { $0.validationCases = Array(refs.prefix(2)) }
                    $0.seed = 3
                    if let member { $0.bootstrapMember = member }
                }, validationFraction: 0.2)
            return (training: sample.training.map { nameOf[$0]! }, validation: sample.validation.map { nameOf[$0]! })
        }
        #expect(samples[0].training == samples[1].training)
        #expect(samples[0].validation == samples[1].validation)
        #expect(samples[0].validation.count == 2)
    }
}
