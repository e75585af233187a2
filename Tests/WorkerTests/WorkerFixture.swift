import Artifacts
import Bus
import Domain
import Foundation
import Logging
import Neural
import Profiles
import Proto
import ServiceRuntime
import Store
import SyntheticData
import Volume
import WorkerSupport

/// The world a trainer or scorer works in, built as ingest and the orchestrator would leave it: a
/// migrated schema of its own, a temporary artifact root holding preprocessed synthetic cases, and
/// the dataset, case, experiment, round and job rows that reference them.
final class WorkerFixture: Sendable {
    let prefix = WorkerTestSupport.uniquePrefix()
    let store: PostgresClient
    let artifacts: ArtifactStore
    let root: URL
    let schema: String
    let datasetID = DatasetID.random()
    let experimentID = ExperimentID.random()
    /// Labelled training-split cases, in id order.
    let trainCases: [CaseRef]
    /// Labelled test-split cases.
    let testCases: [CaseRef]

    /// Runs `body` on a fixture of `train + test` cases, then drops it, whether `body` throws or not.
    static func with(train: Int, test: Int, _ body: (WorkerFixture) async throws -> Void) async throws {
        let fixture = try await make(train: train, test: test)
        do {
            try await body(fixture)
        } catch {
            try await fixture.tearDown()
            throw error
        }
        try await fixture.tearDown()
    }

    /// Generates `train + test` tiny synthetic cases (phantom anatomy) and records them.
    private static func make(train: Int, test: Int) async throws -> WorkerFixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "activeseg-worker-tests-\(UUID().uuidString)")
        let artifacts = try ArtifactStore(root: root.appendingPathComponent("artifacts"))
        let profile = ExperimentProfile.tiny
        let cohort = root.appendingPathComponent("cohort")
        let summary = try SyntheticCohort.generate(
            cases: train + test, seed: 7, outputDirectory: cohort, anatomy: .phantom,
            spacingScale: profile.syntheticSpacingScale)
        let preprocessor = Preprocessor(PreprocessingConfiguration(spacing: SIMD3(repeating: profile.targetSpacing)))
        var refs: [CaseRef] = []
        for item in summary.cases {
            let folder = cohort.appendingPathComponent(item.id)
            let t1c = try NIfTI.readImage(at: folder.appendingPathComponent("\(item.id)_t1ce.nii.gz"))
            let t2 = try NIfTI.readImage(at: folder.appendingPathComponent("\(item.id)_t2.nii.gz"))
            let seg = try NIfTI.readLabels(
                at: folder.appendingPathComponent("\(item.id)_seg.nii.gz"), allowedValues: [0, 1, 2, 4])
            let prepared = try preprocessor.run(caseID: item.id, t1c: t1c, t2: t2, label: seg)
            let imageFile = root.appendingPathComponent("\(item.id)-image.nii.gz")
            let labelFile = root.appendingPathComponent("\(item.id)-label.nii.gz")
            try NIfTI.write(channels: [prepared.t1c, prepared.t2], to: imageFile)
            try NIfTI.write(prepared.label!, to: labelFile)
            let image = try artifacts.put(contentsOf: imageFile)
            let label = try artifacts.put(contentsOf: labelFile)
            refs.append(
                CaseRef.with {
                    $0.caseID = CaseID.random().wireForm
                    $0.image = ArtifactRef.with { $0.sha256 = image.sha256 }
                    $0.label = ArtifactRef.with { $0.sha256 = label.sha256 }
                })
        }
        var configuration = try PostgresConfiguration(
            environment: ProcessInfo.processInfo.environment,
            applicationName: "activeseg-worker-tests")
        configuration.schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let store = PostgresClient(configuration: configuration, logger: WorkerTestSupport.logger)
        try await store.migrate()
        let fixture = WorkerFixture(
            store: store, artifacts: artifacts, root: root, schema: configuration.schema!,
            trainCases: Array(refs.prefix(train)), testCases: Array(refs.suffix(test)))
        try await fixture.recordRows()
        return fixture
    }

    private init(
        store: PostgresClient, artifacts: ArtifactStore, root: URL, schema: String, trainCases: [CaseRef],
        testCases: [CaseRef]
    ) {
        self.store = store
        self.artifacts = artifacts
        self.root = root
        self.schema = schema
        self.trainCases = trainCases
        self.testCases = testCases
    }

    private func recordRows() async throws {
        try await store.query(
            """
            INSERT INTO datasets (id, name, source_kind, source_uri, test_fraction, split_seed)
            VALUES (\(datasetID), 'synthetic tiny', 'synthetic', \(root.path), 0.2, 1)
            """)
        for (split, refs) in [("train", trainCases), ("test", testCases)] {
            for ref in refs {
                try await store.query(
                    """
                    INSERT INTO cases (id, dataset_id, source_name, patient_id, state, split, image_sha256, label_sha256)
                    VALUES (\(CaseID(wireForm: ref.caseID)!), \(datasetID), \(ref.caseID), \(ref.caseID), 'ingested', \(split),
                            \(ref.image.sha256), \(ref.label.sha256))
                    """)
            }
        }
        try await store.query(
            """
            INSERT INTO experiments (id, name, dataset_id, strategy, restriction, initial_count, candidate_count, query_count,
                                     max_rounds, dropout_passes, seed, profile, annotation_mode)
            VALUES (\(experimentID), 'worker tests', \(datasetID), 'dropout-train-test', 'none', 4, 4, 2, 2, 4, 1, 'tiny', 'oracle')
            """)
        try await store.query(
            "INSERT INTO rounds (experiment_id, round_index, phase) VALUES (\(experimentID), 0, 'evaluating')")
        try await store.query(
            "INSERT INTO rounds (experiment_id, round_index, phase) VALUES (\(experimentID), 1, 'scoring')")
    }

    /// Records a queued job row, as the orchestrator does before publishing it; returns its id.
    /// `key` defaults to the id; a key in the orchestrator's form (`score/<experiment>/<round>/…`)
    /// makes the job one its round waits for.
    func recordJob(kind: String, round: Int, payload: Data, key: String? = nil) async throws -> JobID {
        let id = JobID.random()
        try await store.query(
            """
            INSERT INTO jobs (id, key, kind, experiment_id, round_index, payload)
            VALUES (\(id), \(key ?? id.wireForm), \(kind), \(experimentID), \(round), \(payload))
            """)
        return id
    }

    /// Records a round-1 score job of the fixture's first training case (dropout-train-test with
    /// `passes` stochastic passes, a candidate of the scoring phase the orchestrator waits for) and
    /// marks the experiment running, so an orchestrator that takes the lead publishes the job.
    func recordRunningScoreJob(passes: UInt32) async throws -> JobID {
        let model = try await recordInitialModel(dropout: .train)
        let caseRef = trainCases[0]
        let experiment = experimentID.wireForm
        let job = ScoreJob.with {
            $0.experimentID = experiment
            $0.round = 1
            $0.models = [model]
            $0.caseRef = caseRef
            $0.method = .dropoutTrainTest
            $0.role = .candidate
            $0.passes = passes
            $0.topFraction = 0.01
            $0.seed = 9
        }
        let id = try await recordJob(
            kind: "score", round: 1, payload: try job.serializedData(), key: "score/\(experiment)/1/\(caseRef.caseID)")
        try await store.query("UPDATE experiments SET status = 'running' WHERE id = \(experimentID)")
        return id
    }

    /// Records a round-0 training job of the tiny profile on every training case that runs `epochs`
    /// epochs without stopping early: long enough to be still running when a test interrupts or
    /// loads its worker. Returns the job's id and the job to submit.
    func recordLongTrainJob(epochs: UInt32, seed: UInt64) async throws -> (id: JobID, job: TrainJob) {
        var parameters = ExperimentProfile.tiny.hyperParameters
        parameters.maxEpochs = epochs
        parameters.earlyStopPatience = epochs
        var job = TrainJob.with {
            $0.experimentID = experimentID.wireForm
            $0.datasetID = datasetID.wireForm
            $0.trainingCases = trainCases
            $0.seed = seed
            $0.hyperParameters = parameters
            $0.profile = .tiny
            $0.dropoutMode = .off
        }
        let id = try await recordJob(kind: "train", round: 0, payload: try job.serializedData())
        job.jobID = id.wireForm
        return (id, job)
    }

    /// Records a round-0 model of the tiny profile with its initial weights, as a trainer records a
    /// model: scoring and evaluating need a model, not a trained one.
    func recordInitialModel(dropout: DropoutMode) async throws -> ModelRef {
        let profile = ExperimentProfile.tiny
        let network = UNet3D(config: profile.network(dropout: dropout, rate: profile.training.dropoutRate), seed: 1)
        let checkpoint = try artifacts.put(try Checkpoint.encode(network))
        let id = ModelID.random()
        // The schema records trained models only; one epoch is the least it accepts.
        try await store.withTransaction { transaction in
            try await ModelRepository.insert(
                ModelRecord(
                    id: id, datasetID: datasetID, experimentID: experimentID, roundIndex: 0, ensembleMember: nil,
                    profile: profile.name, checkpointSHA256: checkpoint.sha256, trainingCaseCount: trainCases.count,
                    epochs: 1,
                    bestValidationDice: nil, jobID: nil),
                on: transaction)
        }
        return ModelRef.with {
            $0.modelID = id.wireForm
            $0.checkpoint = ArtifactRef.with { $0.sha256 = checkpoint.sha256 }
        }
    }

    func jobState(_ id: JobID) async throws -> (state: String, attempts: Int) {
        let row = try await store.query("SELECT state, attempts FROM jobs WHERE id = \(id)")[0]
        return (try row.decode("state"), try row.decode("attempts"))
    }

    /// The reason recorded for the job's last failed attempt, nil when none failed.
    func lastError(_ id: JobID) async throws -> String? {
        try await store.query("SELECT last_error FROM jobs WHERE id = \(id)")[0].decode("last_error")
    }

    /// The jobs now in `state` (`queued`, `running`, `succeeded`, `failed`).
    func jobs(in state: String) async throws -> [JobID] {
        try await store.query("SELECT id FROM jobs WHERE state = \(state)").map { try $0.decode("id") }
    }

    /// The rows of `table` in this fixture's schema.
    func count(_ table: String) async throws -> Int {
        try await store.query("SELECT count(*) AS n FROM \(identifier: table)")[0].decode("n")
    }

    /// A worker environment on a NATS connection of its own, as a separate process would have.
    func environment(
        _ service: String, instance: String, delivery: JobDelivery = JobDelivery()
    ) async throws
        -> WorkerEnvironment
    {
        var variables = ProcessInfo.processInfo.environment
        variables["ACTIVESEG_SUBJECT_PREFIX"] = prefix
        variables["ACTIVESEG_INSTANCE"] = instance
        variables["ACTIVESEG_NATS_NAME"] = "worker-tests-\(service)-\(instance)"
        let configuration = try ServiceConfiguration(service: service, environment: variables)
        let connection = try await BusConnection.connect(configuration.bus, logger: WorkerTestSupport.logger)
        return WorkerEnvironment(
            configuration: configuration, connection: connection,
            jetStream: try JetStream(connection: connection), store: store, artifacts: artifacts,
            logger: WorkerTestSupport.logger, delivery: delivery)
    }

    /// The environment of a worker process started for this fixture, with an ack wait of
    /// `ackWaitSeconds`.
    func processEnvironment(ackWaitSeconds: Int) -> [String: String] {
        var variables = ProcessInfo.processInfo.environment
        variables["ACTIVESEG_SUBJECT_PREFIX"] = prefix
        variables["ACTIVESEG_POSTGRES_SCHEMA"] = schema
        variables["ACTIVESEG_ARTIFACT_ROOT"] = artifacts.root.path
        variables["ACTIVESEG_JOB_ACK_WAIT"] = String(ackWaitSeconds)
        variables["ACTIVESEG_LOG_LEVEL"] = "warning"
        return variables
    }

    /// Drops the schema and the files.
    func tearDown() async throws {
        await store.shutdown()
        let admin = PostgresClient(
            configuration: try PostgresConfiguration(environment: ProcessInfo.processInfo.environment),
            logger: WorkerTestSupport.logger)
        try await admin.query("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
        await admin.shutdown()
        try? FileManager.default.removeItem(at: root)
    }
}
