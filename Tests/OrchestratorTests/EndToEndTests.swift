import Artifacts
import Bus
import Foundation
import Profiles
import ServiceLifecycle
import Proto
import ServiceRuntime
import Store
import Testing
import Volume
import WorkerSupport
@testable import ScorerService
@testable import TrainerService
import TestSupport

/// An experiment with every service in-process: the real trainer and scorer train and score tiny
/// U-Nets on a tiny synthetic cohort, the selector picks and the stats service tests equivalence,
/// all through NATS and Postgres as deployed.
@Suite(.serialized)
struct EndToEndTests {
    @Test func aThreeRoundMarginsExperimentRunsOnTheWholeStack() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("activeseg-e2e-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: root) }
            let artifacts = try ArtifactStore(root: root.appendingPathComponent("artifacts"))
            let cohort = try await SyntheticDataset.store(train: 8, test: 6, root: root, artifacts: artifacts, on: database)

            var groups = try await deployment.selectorAndStats()
            for service in ["trainer", "scorer"] {
                let (configuration, connection) = try await deployment.connect(service, instance: service)
                let environment = WorkerEnvironment(configuration: configuration, connection: connection,
                                                    jetStream: try JetStream(connection: connection), store: database,
                                                    artifacts: artifacts, logger: Deployment.logger)
                let worker: any Service = service == "trainer"
                    ? JobWorker(queue: environment.queue(TrainerRPC.train),
                                handler: TrainJobHandler(loader: environment.loader, jobs: environment.jobs,
                                                         progress: ProgressPublisher(connection: connection,
                                                                                     configuration: configuration)),
                                logger: Deployment.logger)
                    : JobWorker(queue: environment.queue(ScorerRPC.score),
                                handler: ScoreJobHandler(loader: environment.loader, jobs: environment.jobs),
                                logger: Deployment.logger)
                groups.append(RunningGroup.start([BusService(connection: connection, logger: Deployment.logger), worker]))
            }
            groups.append(try await deployment.orchestrator("orch-a"))
            let client = try await deployment.client()
            let id = UUID().uuidString.lowercased()
            _ = try await within(Deployment.timeout, "the orchestrator to lead") {
                while true {
                    if let status = try? await client.call(OrchestratorRPC.create, .with {
                        $0.experimentID = id
                        $0.spec = OrchestratorServiceTests.spec(datasetID: cohort.id, strategy: .margins)
                    }, timeout: .seconds(2)) { return status }
                }
            }
            _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
            let finished = try await deployment.waitForStatus(client, id, "the experiment to finish") {
                $0.state == .finished || $0.state == .failed
            }
            let experimentID = try #require(UUID(uuidString: id))
            let rounds = try await RoundRepository.rounds(of: experimentID, on: database)
            // The real trainer's models and the real scorer's Dice on every test case.
            let evaluations = try await database.query("""
                SELECT m.is_full_data_reference AS reference, e.dice FROM evaluations e JOIN models m ON m.id = e.model_id
                """)
            let referenceDice = try evaluations.filter { try $0.decode("reference", as: Bool.self) }
                .map { try $0.decode("dice", as: Double.self) }
            #expect(referenceDice.count == 6)
            #expect(try evaluations.allSatisfy { (0...1).contains(try $0.decode("dice", as: Double.self)) })
            #expect(finished.state == .finished, "\(finished.failureReason)")
            #expect(finished.round == 2 && finished.annotatedCases == 8)
            #expect(rounds.compactMap(\.outcome?.annotatedCount) == [4, 6, 8])
            let selections = try await ExperimentCaseRepository.selections(of: experimentID, on: database)
            for round in 1...2 {
                let top = try await database.query("""
                    SELECT case_id FROM scores WHERE experiment_id = \(experimentID) AND round_index = \(round)
                    ORDER BY value DESC, case_id LIMIT 2
                    """).map { try $0.decode("case_id", as: UUID.self) }
                #expect(Set(selections.filter { $0.selectedRound == round }.map(\.caseID)) == Set(top), "round \(round)")
            }
            #expect(try await OrchestratorServiceTests.count("models", on: database) == 4)
            #expect(try await OrchestratorServiceTests.count("evaluations", on: database) == 4 * 6)

            await client.connection.close()
            for group in groups.reversed() { try await group.stop() }
        }
    }
}

/// A tiny synthetic cohort preprocessed as ingest does and recorded as ingest records it.
enum SyntheticDataset {
    static func store(train: Int, test: Int, root: URL, artifacts: ArtifactStore, on database: PostgresClient)
        async throws -> DatasetRecord
    {
        let profile = ExperimentProfile.tiny
        let folder = root.appendingPathComponent("cohort")
        let summary = try SyntheticCohort.generate(cases: train + test, seed: 3, outputDirectory: folder,
                                                   anatomy: .phantom, spacingScale: profile.syntheticSpacingScale)
        let preprocessor = Preprocessor(PreprocessingConfiguration(spacing: SIMD3(repeating: profile.targetSpacing)))
        let dataset = try await DatasetRepository(client: database).ensure(DatasetRecord(
            id: UUID(), name: "synthetic-\(UUID())", sourceKind: .synthetic, sourceURI: folder.path,
            testFraction: Double(test) / Double(train + test), splitSeed: 3))
        var records: [CaseRecord] = []
        for (index, item) in summary.cases.enumerated() {
            let files = folder.appendingPathComponent(item.id)
            let prepared = try preprocessor.run(
                caseID: item.id,
                t1c: try NIfTI.readImage(at: files.appendingPathComponent("\(item.id)_t1ce.nii.gz")),
                t2: try NIfTI.readImage(at: files.appendingPathComponent("\(item.id)_t2.nii.gz")),
                label: try NIfTI.readLabels(at: files.appendingPathComponent("\(item.id)_seg.nii.gz"),
                                            allowedValues: [0, 1, 2, 4]))
            let imageFile = root.appendingPathComponent("\(item.id)-image.nii.gz")
            let labelFile = root.appendingPathComponent("\(item.id)-label.nii.gz")
            try NIfTI.write(channels: [prepared.t1c, prepared.t2], to: imageFile)
            try NIfTI.write(prepared.label!, to: labelFile)
            records.append(CaseRecord(
                id: UUID(), datasetID: dataset.id, sourceName: item.id, patientID: item.id,
                state: .ingested(split: index < train ? .train : .test,
                                 imageSHA256: try artifacts.put(contentsOf: imageFile).sha256,
                                 labelSHA256: try artifacts.put(contentsOf: labelFile).sha256)))
        }
        _ = try await CaseRepository(client: database).record(records)
        return dataset
    }
}
