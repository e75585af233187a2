import Artifacts
import Bus
import Domain
import Foundation
import Orchestration
import Profiles
import Proto
import ServiceRuntime
import Store
import TestSupport
import Testing
import Volume

@testable import OrchestratorService

/// `human` annotation on the real stack: a round waits for a person's labels, takes them through
/// ingest's `ImportLabels` (preprocessed as ingest preprocessed the case), and goes on as soon as
/// every pick has one, because ingest asks the orchestrator to advance the experiment before it
/// answers. The training cases of a tiny synthetic cohort start without labels; the labels
/// delivered are the cohort's own source masks, so the stored result must be ingest's label to the
/// byte. With the pool unlabelled no full-data model can be trained, so the rounds finish untested;
/// the real trainer and scorer train round 0 on the imported labels and score the pool for round 1.
@Suite(.serialized, .tags(.stack), .needsLocalStack)
struct HumanModeTests {
    @Test func aRoundWaitsForEveryPickedLabelAndGoesOnWhenTheLastArrives() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "activeseg-human-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: root) }
            let artifacts = try ArtifactStore(root: root.appendingPathComponent("artifacts"))
            let dataset = try await SyntheticDataset.store(
                train: 6, test: 3, root: root, artifacts: artifacts,
                on: database)
            let ingestedLabels = try await Self.forgetTrainingLabels(of: dataset.id, on: database)
            let names = Dictionary(
                uniqueKeysWithValues: try await CaseRepository.cases(in: dataset.id, on: database)
                    .map { ($0.id, $0.sourceName) })
            func sourceLabel(_ caseID: CaseID) -> ImportedLabel {
                let name = names[caseID]!
                return ImportedLabel.with {
                    $0.caseID = caseID.wireForm
                    $0.path = root.appendingPathComponent("cohort/\(name)/\(name)_seg.nii.gz").path
                }
            }

            var groups = try await deployment.selectorAndStats()
            // The real trainer and scorer, so the imported labels are what round 0 trains on.
            groups += [
                try await deployment.worker("trainer", artifacts: artifacts),
                try await deployment.worker("scorer", artifacts: artifacts),
            ]
            groups.append(try await deployment.ingest(artifacts: artifacts))
            // No periodic pass during the test, so only ingest's request advances the experiment.
            var watch = JobWatch()
            watch.sweepInterval = .seconds(3600)
            groups.append(try await deployment.orchestrator("orch-human", watch: watch))
            let client = try await deployment.client()
            let id = ExperimentID.random().wireForm
            let spec = ExperimentSpec.with {
                $0 = OrchestratorServiceTests.spec(datasetID: dataset.id, rounds: 1, initial: 4, pick: 2)
                $0.annotation = .human
            }
            _ = try await deployment.createWhenLeading(client, id, spec: spec)
            let started = try await client.call(
                OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
            #expect(started.state == .awaitingLabels && started.round == 0 && started.phase == .annotating)
            #expect(started.annotatedCases == 0)

            let experimentID = try #require(ExperimentID(wireForm: id))
            let picks = try await ExperimentCaseRepository.selections(of: experimentID, on: database).map(\.caseID)
            try #require(picks.count == 4)
            let unpicked = try #require(ingestedLabels.keys.first { !picks.contains($0) })
            func importing(_ labels: [ImportedLabel]) async throws -> LabelImportResult {
                try await client.call(
                    IngestRPC.importLabels,
                    .with {
                        $0.experimentID = id
                        $0.round = 0
                        $0.labels = labels
                    }, timeout: .seconds(60))
            }

            // Half the picks, a case the round did not pick, and a mask on another grid.
            let misfit = root.appendingPathComponent("misfit.nii.gz")
            try NIfTI.write(
                LabelVolume(shape: GridShape(4, 4, 4), affine: .identity, voxels: Array(repeating: 0, count: 64)),
                to: misfit)
            var wrongGrid = ImportedLabel()
            wrongGrid.caseID = picks[2].wireForm
            wrongGrid.path = misfit.path
            // One of the picks named as a person names the file, by its case name, and a name no
            // case of the dataset has.
            var byName = sourceLabel(picks[1])
            byName.caseName = names[picks[1]]!
            let stranger = ImportedLabel.with {
                $0.caseName = "Nobody_00099"
                $0.path = misfit.path
            }
            let first = try await importing([
                sourceLabel(picks[0]), byName, sourceLabel(unpicked), wrongGrid, stranger,
            ])
            #expect(first.round == 0)
            #expect(Set(first.acceptedCaseIds) == Set(picks[0...1].map { $0.wireForm }))
            #expect(
                Dictionary(uniqueKeysWithValues: zip(first.acceptedCaseIds, first.acceptedCaseNames))
                    == Dictionary(uniqueKeysWithValues: picks[0...1].map { ($0.wireForm, names[$0]!) }))
            #expect(Set(first.missingCaseIds) == Set(picks[2...3].map { $0.wireForm }))
            #expect(first.missingCaseNames == first.missingCaseIds.map { names[CaseID(wireForm: $0)!]! })
            let unknown = try #require(first.rejected.first { $0.caseName == "Nobody_00099" })
            #expect(unknown.caseID.isEmpty)
            #expect(
                unknown.reason.contains("no case of the experiment's dataset is named Nobody_00099"),
                "\(unknown.reason)")
            let refusals = Dictionary(
                uniqueKeysWithValues: first.rejected.filter { !$0.caseID.isEmpty }.map { ($0.caseID, $0.reason) })
            let notPicked = try #require(refusals[unpicked.wireForm])
            #expect(notPicked.contains(names[unpicked]!) && notPicked.contains("did not pick"), "\(notPicked)")
            let misfitReason = try #require(refusals[picks[2].wireForm])
            #expect(misfitReason.contains(names[picks[2]]!) && misfitReason.contains("grid"), "\(misfitReason)")
            for caseID in picks[0...1] {
                #expect(
                    try await CaseRepository.files(of: caseID, on: database)?.labelSHA256 == ingestedLabels[caseID],
                    "the imported label is the one ingest made of the same mask")
            }
            #expect(try await CaseRepository.files(of: unpicked, on: database)?.labelSHA256 == nil)
            let counted = Dictionary(
                uniqueKeysWithValues: try await CaseRepository.cases(in: dataset.id, on: database)
                    .map { ($0.id, $0.labelVoxels) })
            #expect(
                picks[0...1].allSatisfy { counted[$0]! != nil } && counted[unpicked]! == nil,
                "an imported label's voxels are stored with it, for round 0's cold start")

            let partial = try await client.call(
                OrchestratorRPC.status, .with { $0.experimentID = id }, timeout: .seconds(10))
            #expect(partial.state == .awaitingLabels && partial.round == 0 && partial.phase == .annotating)
            #expect(partial.annotatedCases == 2)
            #expect(
                try await JobRepository.counts(of: experimentID, round: 0, keyPrefix: "", on: database).total == 0,
                "no training before every label is in")

            // The same labels again change nothing.
            let before = try await Self.annotationRows(of: dataset.id, on: database)
            let repeated = try await importing([sourceLabel(picks[0]), sourceLabel(picks[1])])
            #expect(Set(repeated.acceptedCaseIds) == Set(picks[0...1].map { $0.wireForm }))
            #expect(repeated.rejected.isEmpty && repeated.missingCaseIds.count == 2)
            #expect(try await Self.annotationRows(of: dataset.id, on: database) == before)

            // The rest through `activeseg label import`, from a folder of files named after their cases.
            let labels = root.appendingPathComponent("labels")
            try FileManager.default.createDirectory(at: labels, withIntermediateDirectories: true)
            for caseID in picks[2...3] {
                try FileManager.default.copyItem(
                    at: URL(fileURLWithPath: sourceLabel(caseID).path),
                    to: labels.appendingPathComponent("\(names[caseID]!)_seg.nii.gz"))
            }
            let run = await CommandLineRun.activeseg(
                ["label", "import", "--experiment", id, "--labels", "labels", "--json"],
                deployment: deployment, folder: root)
            #expect(run.status == .success, "\(run.errors)")
            let report = try JSONDecoder().decode(ImportReport.self, from: Data(run.output.utf8))
            #expect(report.round == 0)
            #expect(report.accepted.sorted() == picks[2...3].map { names[$0]! }.sorted())
            #expect(report.rejected.isEmpty && report.missing.isEmpty)
            #expect(
                try await JobRepository.counts(of: experimentID, round: 0, keyPrefix: "", on: database).total > 0,
                "the orchestrator queued round 0's training before ingest answered")
            let next = try await deployment.waitForStatus(client, id, "round 1 to wait for its labels") {
                ($0.round == 1 && $0.state == .awaitingLabels) || $0.state == .failed
            }
            #expect(next.state == .awaitingLabels, "\(next.failureReason)")
            #expect(next.annotatedCases == 4)
            let rounds = try await RoundRepository.rounds(of: experimentID, on: database)
            #expect(rounds.map(\.phase) == [.finished, .annotating])
            #expect(rounds.first?.outcome?.annotatedCount == 4)
            // Nobody labelled the pool, so no full-data model was planned: round 0 finished with its
            // Dice alone, untested and not equivalent.
            #expect(rounds.first?.outcome?.tostP == nil && rounds.first?.outcome?.equivalent == false)
            let record = try #require(try await ExperimentRepository.experiment(experimentID, on: database))
            for member in 0..<ExperimentProfile(record.design.profile).activeLearning.referenceMembers {
                let key = ExperimentStateMachine.referenceMemberKey(
                    datasetID: dataset.id, profile: record.design.profile, member: member)
                #expect(try await JobRepository.job(key: key, on: database) == nil)
            }

            await client.connection.close()
            for group in groups.reversed() { try await group.stop() }
        }
    }

    /// What `activeseg label import --json` prints.
    private struct ImportReport: Decodable {
        var round: UInt32
        var accepted: [String]
        var rejected: [String: String]
        var missing: [String]
    }

    /// The case labels and picks of a dataset, with the rounds' phases and their times, as lines.
    private static func annotationRows(of datasetID: DatasetID, on database: PostgresClient) async throws -> [String] {
        try await database.query(
            """
            SELECT concat_ws('/', c.id, c.label_sha256, x.selected_round, x.selection_rank, x.annotated_round) AS line
            FROM cases c LEFT JOIN experiment_cases x ON x.case_id = c.id WHERE c.dataset_id = \(datasetID)
            UNION ALL
            SELECT concat_ws('/', experiment_id, round_index, phase, phase_changed_at) FROM rounds
            ORDER BY line
            """
        ).map { try $0.decode("line", as: String.self) }
    }

    /// Clears the training cases' labels, as a dataset whose pool a person still has to label; the
    /// labels ingest stored, by case.
    private static func forgetTrainingLabels(
        of datasetID: DatasetID, on database: PostgresClient
    ) async throws
        -> [CaseID: String]
    {
        let rows = try await database.query(
            """
            UPDATE cases c SET label_sha256 = NULL FROM cases old
            WHERE c.id = old.id AND c.dataset_id = \(datasetID) AND c.split = 'train'
            RETURNING c.id, old.label_sha256
            """)
        return Dictionary(
            uniqueKeysWithValues: try rows.map {
                (try $0.decode("id", as: CaseID.self), try $0.decode("label_sha256", as: String.self))
            })
    }
}
