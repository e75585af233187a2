import Artifacts
import Domain
import Foundation
import Profiles
import Proto
import ServiceRuntime
import Store
import SyntheticData
import TestSupport
import Testing
import Volume

/// A cohort with broken cases goes through the real ingest service: each broken case is recorded as
/// failed with a reason that names it and its problem, and an experiment on the dataset runs to
/// its end on the other cases without ever queueing, scoring, evaluating or picking a failed one.
@Suite(.serialized, .tags(.stack), .needsLocalStack)
struct CorruptCohortTests {
    /// How each broken case is broken, and the `VolumeError` code its reason must name.
    enum Damage: CaseIterable {
        case truncatedImage, labelOutsideTheDeclaredSet, labelOnAnotherGrid

        var code: VolumeError.Code {
            switch self {
            case .truncatedImage: .corruptData
            case .labelOutsideTheDeclaredSet: .unexpectedLabel
            case .labelOnAnotherGrid: .gridMismatch
            }
        }

        /// The file the reason must name.
        func file(of caseID: String) -> String {
            self == .truncatedImage ? "\(caseID)_t1ce.nii.gz" : "\(caseID)_seg.nii.gz"
        }

        /// Breaks the files of the BraTS case folder `folder`.
        func apply(to folder: URL, caseID: String) throws {
            let url = folder.appendingPathComponent(file(of: caseID))
            switch self {
            case .truncatedImage:
                let bytes = try Data(contentsOf: url)
                try bytes.prefix(bytes.count / 2).write(to: url)
            case .labelOutsideTheDeclaredSet:
                var label = try NIfTI.readLabels(at: url, allowedValues: Set(0...255))
                // BraTS 2021 labels are 0, 1, 2 and 4.
                label.voxels[label.voxels.count / 2] = 7
                try NIfTI.write(label, to: url)
            case .labelOnAnotherGrid:
                let label = try NIfTI.readLabels(at: url, allowedValues: Set(0...255))
                let shape = GridShape(label.shape.x - 1, label.shape.y, label.shape.z)
                try NIfTI.write(
                    LabelVolume(shape: shape, affine: label.affine, voxels: Array(label.voxels.prefix(shape.count))),
                    to: url)
            }
        }
    }

    @Test func brokenCasesFailAtIngestAndTheExperimentRunsOnTheRest() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let profile = ExperimentProfile.tiny
            let root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "activeseg-corrupt-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: root) }
            let artifacts = try ArtifactStore(root: root.appendingPathComponent("artifacts"))
            let source = root.appendingPathComponent("brats", isDirectory: true)
            // 11 good cases: 8 to train on (4 initial + 2 per round) and 3 to test on.
            let summary = try SyntheticCohort.generate(
                cases: 11 + Damage.allCases.count, seed: 5, outputDirectory: source,
                anatomy: .phantom, spacingScale: profile.syntheticSpacingScale)
            var broken: [String: Damage] = [:]
            for (item, damage) in zip(summary.cases.suffix(Damage.allCases.count), Damage.allCases) {
                try damage.apply(to: source.appendingPathComponent(item.id), caseID: item.id)
                broken[item.id] = damage
            }

            var groups = try await deployment.selectorAndStats()
            groups.append(try await deployment.ingest(artifacts: artifacts))
            groups += [
                try await deployment.worker("trainer", artifacts: artifacts),
                try await deployment.worker("scorer", artifacts: artifacts),
            ]
            groups.append(try await deployment.orchestrator("orch-a"))
            let client = try await deployment.client()
            try await deployment.waitUntilServing(client, IngestRPC.ping)

            let datasetID = DatasetID.random()
            let result = try await client.call(
                IngestRPC.ingest,
                .with {
                    $0.requestID = UUID().uuidString
                    $0.datasetID = datasetID.uuid.uuidString
                    $0.brats = BratsFolder.with { $0.path = source.path }
                    $0.preprocessing = PreprocessingConfig.with {
                        $0.spacingMm = profile.targetSpacing
                        $0.normalize = true
                    }
                    $0.testShare = 0.25
                    $0.splitSeed = 3
                }, timeout: Deployment.timeout)
            let failed = result.outcomes.compactMap { outcome -> CaseFailed? in
                if case .failed(let event) = outcome.outcome { return event } else { return nil }
            }
            #expect(Set(failed.map(\.sourceName)) == Set(broken.keys))
            for event in failed {
                guard let damage = broken[event.sourceName] else { continue }
                #expect(event.reason.contains("case \(event.sourceName)"), "\(event.reason)")
                #expect(event.reason.contains(damage.file(of: event.sourceName)), "\(event.reason)")
                #expect(event.reason.contains("\(damage.code)"), "\(event.reason)")
            }
            let rows = try await CaseRepository.cases(in: datasetID, on: database)
            var failedIDs: [CaseID] = []
            var training = 0
            var testing = 0
            for row in rows {
                switch row.state {
                case .failed(let reason):
                    #expect(broken[row.sourceName] != nil, "case \(row.sourceName) failed: \(reason)")
                    #expect(failed.first { $0.sourceName == row.sourceName }?.reason == reason)
                    failedIDs.append(row.id)
                case .ingested(.train, _, _): training += 1
                case .ingested(.test, _, _): testing += 1
                }
            }
            #expect(failedIDs.count == Damage.allCases.count)
            #expect(training == 8 && testing == 3)

            let id = ExperimentID.random().wireForm
            _ = try await deployment.createWhenLeading(
                client, id, spec: OrchestratorServiceTests.spec(datasetID: datasetID, strategy: .margins))
            _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
            let finished = try await deployment.waitForStatus(client, id, "the experiment to finish") {
                $0.state == .finished || $0.state == .failed
            }
            #expect(finished.state == .finished, "\(finished.failureReason)")
            #expect(finished.round == 2 && finished.annotatedCases == 8)

            // No job names a failed case, and no score, feature, Dice or pick refers to one.
            var jobCases: Set<CaseID> = []
            for row in try await database.query("SELECT kind, payload FROM jobs") {
                let payload: Data = try row.decode("payload")
                if try row.decode("kind", as: String.self) == "train" {
                    let job = try TrainJob(serializedBytes: payload)
                    jobCases.formUnion(
                        (job.trainingCases + job.validationCases).compactMap { CaseID(wireForm: $0.caseID) })
                } else {
                    if let id = CaseID(wireForm: try ScoreJob(serializedBytes: payload).caseRef.caseID) {
                        jobCases.insert(id)
                    }
                }
            }
            #expect(!jobCases.isEmpty && jobCases.isDisjoint(with: failedIDs))
            for table in ["scores", "features", "evaluations", "experiment_cases"] {
                let cases = try await database.query("SELECT case_id FROM \(identifier: table)")
                    .map { try $0.decode("case_id", as: CaseID.self) }
                #expect(!cases.isEmpty && Set(cases).isDisjoint(with: failedIDs), "\(table)")
            }
            #expect(try await OrchestratorServiceTests.count("evaluations", on: database) == 4 * 3)

            await client.connection.close()
            for group in groups.reversed() { try await group.stop() }
        }
    }
}
