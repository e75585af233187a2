import ActiveLearning
import Artifacts
import Bus
import Domain
import Foundation
import Orchestration
import Profiles
import Proto
import ServiceRuntime
import Store
import SyntheticData
import TestSupport
import Testing
import Volume

@testable import OrchestratorService

/// Experiments with every service in-process: the real trainer and two real scorers train and score
/// tiny U-Nets on a tiny synthetic cohort, the selector picks and the stats service tests
/// equivalence, all through NATS and Postgres as deployed. Every strategy runs, and
/// dropout-train-test with each restriction, at once on one cohort, so they share its full-data
/// model as experiments on one dataset do.
@Suite(.serialized, .tags(.stack), .needsLocalStack)
struct EndToEndTests {
    /// A strategy and restriction of one experiment.
    struct Arm: Sendable, CustomStringConvertible {
        var strategy: UncertaintyMethod
        var restriction: Proto.Restriction
        var description: String { "\(strategy)+\(restriction)" }
    }

    static let arms: [Arm] = [
        Arm(strategy: .random, restriction: .none), Arm(strategy: .dropoutTest, restriction: .none),
        Arm(strategy: .dropoutTrainTest, restriction: .none), Arm(strategy: .bootstrap, restriction: .none),
        Arm(strategy: .margins, restriction: .none), Arm(strategy: .dropoutTrainTest, restriction: .representative),
        Arm(strategy: .dropoutTrainTest, restriction: .nonSimilar),
    ]

    /// Ten training cases: 4 initial, then 2 picked of the top 4 of a pool of 6 and then of 4, so
    /// both later rounds narrow K to k. Six test cases give the equivalence test its pairs.
    static func spec(datasetID: DatasetID, arm: Arm) -> ExperimentSpec {
        var spec = OrchestratorServiceTests.spec(datasetID: datasetID, strategy: arm.strategy)
        spec.name = "\(arm)"
        spec.restriction = arm.restriction
        spec.topK = 4
        if arm.strategy == .dropoutTest || arm.strategy == .dropoutTrainTest { spec.passes = 4 }
        if arm.strategy == .bootstrap { spec.bootstrapMembers = 2 }
        return spec
    }

    /// A guard against a hang: seven experiments share two cores, and CI runs other suites beside.
    static let timeout: Duration = .seconds(900)

    /// Each experiment's status once it has finished or failed, polled until all have.
    static func statusesAtTheEnd(
        of ids: [String], client: RPCClient, _ what: String
    ) async throws -> [String: ExperimentStatus] {
        try await within(timeout, what) {
            var ended: [String: ExperimentStatus] = [:]
            while ended.count < ids.count {
                for id in ids where ended[id] == nil {
                    if let status = try? await client.call(
                        OrchestratorRPC.status, .with { $0.experimentID = id },
                        timeout: .seconds(5)),
                        status.state == .finished || status.state == .failed
                    {
                        ended[id] = status
                    }
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            return ended
        }
    }

    @Test func everyStrategyAndRestrictionRunsThreeRoundsAndPicksWhatTheLibraryComputes() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "activeseg-e2e-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: root) }
            let artifacts = try ArtifactStore(root: root.appendingPathComponent("artifacts"))
            let dataset = try await SyntheticDataset.store(
                train: 10, test: 6, root: root, artifacts: artifacts, on: database)

            var groups = try await deployment.selectorAndStats()
            groups.append(try await deployment.worker("trainer", artifacts: artifacts))
            for instance in ["scorer-a", "scorer-b"] {
                groups.append(try await deployment.worker(instance, artifacts: artifacts))
            }
            groups.append(try await deployment.orchestrator("orch-a"))
            let client = try await deployment.client()
            var experiments: [(id: String, arm: Arm)] = []
            for arm in Self.arms {
                let id = ExperimentID.random().wireForm
                _ = try await deployment.createWhenLeading(client, id, spec: Self.spec(datasetID: dataset.id, arm: arm))
                _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
                experiments.append((id, arm))
            }
            let started = experiments
            let ended = try await Self.statusesAtTheEnd(of: started.map(\.0), client: client, "every experiment to end")

            let cohort = try await Cohort.load(dataset.id, on: database)
            for (id, arm) in started {
                let status = try #require(ended[id])
                #expect(status.state == .finished, "\(arm): \(status.failureReason)")
                #expect(status.round == 2 && status.annotatedCases == 8, "\(arm)")
                let experimentID = try #require(ExperimentID(wireForm: id))
                let rounds = try await RoundRepository.rounds(of: experimentID, on: database)
                #expect(rounds.compactMap(\.outcome?.annotatedCount) == [4, 6, 8], "\(arm)")
                try await Self.expectLibraryPicks(
                    experimentID, arm: arm, trainingCases: cohort.trainingCases, on: database)
            }
            // One model per round (two bootstrap members), one full-data reference of the profile's
            // two members shared by all, and each round's model (a bootstrap ensemble as one) and
            // the reference (its ensemble as one) evaluated on every test case.
            #expect(ExperimentProfile.tiny.activeLearning.referenceMembers == 2)
            #expect(try await OrchestratorServiceTests.count("models", on: database) == 2 + 6 * 3 + 2 * 3)
            let referenceDice = try await database.query(
                """
                SELECT e.dice FROM evaluations e JOIN models m ON m.id = e.model_id WHERE m.is_full_data_reference
                """)
            #expect(referenceDice.count == 6)
            let memberIDs = try await ModelRepository.referenceMembers(
                datasetID: dataset.id, profile: .tiny, on: database
            ).map(\.id.wireForm)
            #expect(memberIDs.count == 2)
            let referenceEvaluations = try await database.query(
                "SELECT payload FROM jobs WHERE key LIKE 'reference/%/evaluate/%'")
            #expect(referenceEvaluations.count == 6)
            for row in referenceEvaluations {
                let job = try ScoreJob(serializedBytes: try row.decode("payload", as: Data.self))
                #expect(
                    job.models.map(\.modelID) == memberIDs, "the reference is scored as the ensemble of its members")
            }
            let reported = try await client.call(
                OrchestratorRPC.evaluations, .with { $0.experimentIds = started.map(\.id) }, timeout: .seconds(30))
            #expect(reported.fullData.count == 6 && reported.fullDataMembers == 2)
            #expect(try await OrchestratorServiceTests.count("evaluations", on: database) == 6 + 7 * 3 * 6)

            await client.connection.close()
            for group in groups.reversed() { try await group.stop() }
        }
    }

    /// One cohort imported twice, as two datasets whose cases have other ids: a random experiment
    /// repeated with the same seed on each picks the same cases, by source name, in every round.
    @Test func aRepetitionOnAnotherImportOfTheCohortPicksTheSameCases() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "activeseg-e2e-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: root) }
            let artifacts = try ArtifactStore(root: root.appendingPathComponent("artifacts"))
            var datasets: [DatasetRecord] = []
            for copy in ["first", "second"] {
                datasets.append(
                    try await SyntheticDataset.store(
                        train: 10, test: 6, root: root.appendingPathComponent(copy),
                        artifacts: artifacts, on: database))
            }

            var groups = try await deployment.selectorAndStats()
            groups.append(try await deployment.worker("trainer", artifacts: artifacts))
            groups.append(try await deployment.worker("scorer", artifacts: artifacts))
            groups.append(try await deployment.orchestrator("orch-a"))
            let client = try await deployment.client()
            let random = Arm(strategy: .random, restriction: .none)
            var experiments: [String] = []
            for dataset in datasets {
                let id = ExperimentID.random().wireForm
                _ = try await deployment.createWhenLeading(
                    client, id, spec: Self.spec(datasetID: dataset.id, arm: random))
                _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
                experiments.append(id)
            }
            let started = experiments
            let ended = try await Self.statusesAtTheEnd(of: started, client: client, "both experiments to end")

            var picks: [[[String]]] = []
            var models: [[String]] = []
            for (id, dataset) in zip(started, datasets) {
                let status = try #require(ended[id])
                #expect(status.state == .finished, "\(status.failureReason)")
                let names = Dictionary(
                    uniqueKeysWithValues: try await CaseRepository.cases(in: dataset.id, on: database).map {
                        ($0.id, $0.sourceName)
                    })
                let selections = try await ExperimentCaseRepository.selections(
                    of: try #require(ExperimentID(wireForm: id)),
                    on: database)
                picks.append(
                    (0...2).map { round in
                        selections.filter { $0.selectedRound == round }.map { names[$0.caseID] ?? "\($0.caseID)" }
                    })
                // Each round's model and the full-data model: how long it trained, and its Dice on
                // every test case by name.
                models.append(
                    try await database.query(
                        """
                        SELECT format('%s %s %s %s %s', coalesce(m.round_index, -1), m.epochs, m.best_validation_dice,
                                      c.source_name, e.dice) AS line
                        FROM models m JOIN evaluations e ON e.model_id = m.id JOIN cases c ON c.id = e.case_id
                        WHERE m.experiment_id = \(try #require(ExperimentID(wireForm: id)))
                           OR (m.dataset_id = \(dataset.id) AND m.is_full_data_reference)
                        ORDER BY m.is_full_data_reference, m.round_index, c.source_name
                        """
                    ).map { try $0.decode("line") })
            }
            #expect(picks[0].map(\.count) == [4, 2, 2])
            #expect(picks[0] == picks[1])
            // Trained on the same cases in the same order from the same seeds, the models are the same.
            #expect(models[0].count == 4 * 6)
            #expect(models[0] == models[1])

            await client.connection.close()
            for group in groups.reversed() { try await group.stop() }
        }
    }

    /// Checks rounds 1 and 2 of an experiment against the ActiveLearning library, given what the
    /// round stored: the pool's scores and features, and under the non-similar restriction the
    /// annotated cases' features (stored without a score). The library gets the selector's inputs:
    /// the experiment's K, k, restriction and the seed the orchestrator derives for the round.
    static func expectLibraryPicks(
        _ experimentID: ExperimentID, arm: Arm, trainingCases: [NamedCase],
        on database: PostgresClient
    ) async throws {
        let experiment = try #require(try await ExperimentRepository.experiment(experimentID, on: database))
        let machine = ExperimentStateMachine(
            experimentID: experiment.id, datasetID: experiment.datasetID,
            design: experiment.design, validationFraction: 0.2)
        let selections = try await ExperimentCaseRepository.selections(of: experimentID, on: database)
        for round in 1...2 {
            let picked = Set(selections.filter { $0.selectedRound < round }.map(\.caseID))
            let annotated = trainingCases.filter { picked.contains($0.id) }
            let pool = trainingCases.filter { !picked.contains($0.id) }
            let picks = selections.filter { $0.selectedRound == round }.map { $0.caseID.wireForm }
            var scores: [CaseID: Double] = [:]
            for row in try await database.query(
                """
                SELECT case_id, value FROM scores WHERE experiment_id = \(experimentID) AND round_index = \(round)
                """)
            {
                scores[try row.decode("case_id")] = try row.decode("value")
            }
            var features: [CaseID: [Float]] = [:]
            for row in try await database.query(
                """
                SELECT case_id, vector FROM features WHERE experiment_id = \(experimentID) AND round_index = \(round)
                """)
            {
                features[try row.decode("case_id")] = try row.decode("vector")
            }
            let seed = machine.jobSeed(round: round, stream: 4)
            let expected: [String]
            if arm.strategy == .random {
                #expect(scores.isEmpty && features.isEmpty, "\(arm) round \(round): random query scores nothing")
                expected = try RandomQuery.select(pool, count: experiment.design.queryCount, seed: seed)
                    .map { $0.id.wireForm }
            } else {
                #expect(Set(scores.keys) == Set(pool.map(\.id)), "\(arm) round \(round): every pool case has one score")
                let featured = Set((arm.restriction == .nonSimilar ? pool + annotated : pool).map(\.id))
                #expect(Set(features.keys) == featured, "\(arm) round \(round): the cases with features")
                let restriction = RedundancyRestriction(arm.restriction) ?? .none
                let selector = try CaseSelector(
                    topK: experiment.design.candidateCount, count: experiment.design.queryCount,
                    restriction: restriction)
                let candidates = pool.map {
                    SelectionCandidate(
                        caseID: $0.id.wireForm, sourceName: $0.sourceName,
                        score: scores[$0.id] ?? .nan, features: features[$0.id] ?? [])
                }
                let annotatedFeatures = arm.restriction == .nonSimilar ? annotated.compactMap { features[$0.id] } : []
                expected = try selector.select(candidates, annotatedFeatures: annotatedFeatures).picked
            }
            #expect(picks == expected, "\(arm) round \(round)")
        }
    }
}

/// A tiny synthetic cohort preprocessed as ingest does and recorded as ingest records it.
enum SyntheticDataset {
    static func store(
        train: Int, test: Int, root: URL, artifacts: ArtifactStore, on database: PostgresClient
    )
        async throws -> DatasetRecord
    {
        let profile = ExperimentProfile.tiny
        let folder = root.appendingPathComponent("cohort")
        let summary = try SyntheticCohort.generate(
            cases: train + test, seed: 3, outputDirectory: folder,
            anatomy: .phantom, spacingScale: profile.syntheticSpacingScale)
        let preprocessor = Preprocessor(PreprocessingConfiguration(spacing: SIMD3(repeating: profile.targetSpacing)))
        let dataset = try await DatasetRepository.ensure(
            DatasetRecord(
                id: .random(), name: "synthetic-\(UUID())", sourceKind: .synthetic, sourceURI: folder.path,
                testFraction: Double(test) / Double(train + test), splitSeed: 3), on: database)
        var records: [CaseRecord] = []
        for (index, item) in summary.cases.enumerated() {
            let files = folder.appendingPathComponent(item.id)
            let prepared = try preprocessor.run(
                caseID: item.id,
                t1c: try NIfTI.readImage(at: files.appendingPathComponent("\(item.id)_t1ce.nii.gz")),
                t2: try NIfTI.readImage(at: files.appendingPathComponent("\(item.id)_t2.nii.gz")),
                label: try NIfTI.readLabels(
                    at: files.appendingPathComponent("\(item.id)_seg.nii.gz"),
                    allowedValues: [0, 1, 2, 4]))
            let imageFile = root.appendingPathComponent("\(item.id)-image.nii.gz")
            let labelFile = root.appendingPathComponent("\(item.id)-label.nii.gz")
            try NIfTI.write(channels: [prepared.t1c, prepared.t2], to: imageFile)
            try NIfTI.write(prepared.label!, to: labelFile)
            records.append(
                CaseRecord(
                    id: .random(), datasetID: dataset.id, sourceName: item.id, patientID: item.id,
                    state: .ingested(
                        split: index < train ? .train : .test,
                        imageSHA256: try artifacts.put(contentsOf: imageFile).sha256,
                        labelSHA256: try artifacts.put(contentsOf: labelFile).sha256)))
        }
        _ = try await CaseRepository.record(records, on: database)
        return dataset
    }
}
