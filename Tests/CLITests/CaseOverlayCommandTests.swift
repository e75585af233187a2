import Artifacts
import Domain
import Foundation
import Logging
import Store
import TestSupport
import Testing
import Volume

/// `case overlay` drawn by the scorer process, on a case ingested the way the ingest service stores
/// it: a preprocessed two-channel NIfTI and a binary label in the artifact store, referenced by the
/// case row.
@Suite(.tags(.stack), .needsLocalStack) struct CaseOverlayCommandTests {
    @Test func aStoredCaseIsDrawnByTheScorerAsAPNGOfItsGrid() async throws {
        try await ServiceProcesses.with(["scorer"]) { stack in
            let (folder, environment) = (stack.folder, stack.environment)
            let artifacts = try ArtifactStore(root: folder.file("artifacts"))
            let synth = await activeseg(
                [
                    "synth", "--cases", "1", "--seed", "9", "--out", "cohort", "--anatomy", "phantom",
                    "--spacing-scale", "4",
                ], in: folder.url)
            #expect(synth.status == .success, "\(synth.errors)")
            var configuration = PreprocessingConfiguration()
            configuration.spacing = SIMD3(repeating: 5)
            let source = try #require(try BraTSDataset.discover(root: folder.file("cohort")).first).get()
            let preprocessed = try CaseImporter(
                preprocessor: Preprocessor(configuration), concurrency: 1,
                logger: Logger(label: "test")
            ).importCase(source)
            try NIfTI.write(channels: [preprocessed.t1c, preprocessed.t2], to: folder.file("image.nii.gz"))
            try NIfTI.write(try #require(preprocessed.label), to: folder.file("label.nii.gz"))
            let image = try artifacts.put(contentsOf: folder.file("image.nii.gz"))
            let label = try artifacts.put(contentsOf: folder.file("label.nii.gz"))
            let caseID = try await Self.record(
                source.id, image: image, label: label, environment: environment)

            let initRun = await activeseg(
                ["model", "init", "--profile", "tiny", "--seed", "1", "--out", "m.safetensors"],
                in: folder.url)
            #expect(initRun.status == .success, "\(initRun.errors)")
            let run = await activeseg(
                [
                    "case", "overlay", caseID, "--checkpoint", "m.safetensors", "--out", "o.png",
                    "--scale", "3",
                ], in: folder.url, environment: environment)
            #expect(run.status == .success, "\(run.errors)")

            let png = [UInt8](try Data(contentsOf: folder.file("o.png")))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            func u32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
            #expect(String(decoding: png[12..<16], as: UTF8.self) == "IHDR")
            #expect(u32(16) == preprocessed.t1c.shape.x * 3)
            #expect(u32(20) == preprocessed.t1c.shape.y * 3)

            let labelVoxels = try #require(preprocessed.label).voxels
            let plane = preprocessed.t1c.shape.x * preprocessed.t1c.shape.y
            let areas = (0..<preprocessed.t1c.shape.z).map { z in
                labelVoxels[(z * plane)..<((z + 1) * plane)].reduce(0) { $0 + Int($1) }
            }
            let largest = areas.indices.max { areas[$0] < areas[$1] || (areas[$0] == areas[$1] && $0 > $1) }!
            #expect(run.output.contains("axial slice \(largest)"))
        }
    }

    @Test func aCaseWhoseImageIsMissingFromTheArtifactStoreIsADataError() async throws {
        try await withCaseFixture(["scorer"]) { fixture in
            let initRun = await activeseg(
                ["model", "init", "--profile", "tiny", "--seed", "1", "--out", "m.safetensors"],
                in: fixture.folder)
            #expect(initRun.status == .success)
            let run = await activeseg(
                [
                    "case", "overlay", fixture.picked.uuidString, "--checkpoint", "m.safetensors",
                    "--out", "o.png",
                ], in: fixture.folder, environment: fixture.environment)
            #expect(run.status == .dataError)
            #expect(run.errors.contains("missing from the artifact store"), "\(run.errors)")
            #expect(run.errors.contains("hint: `activeseg case show"))
            #expect(!FileManager.default.fileExists(atPath: fixture.folder.appendingPathComponent("o.png").path))
        }
    }

    @Test func withoutAScorerTheCommandSaysWhatToStart() async throws {
        let folder = try TemporaryFolder()
        let initRun = await activeseg(
            ["model", "init", "--profile", "tiny", "--seed", "1", "--out", "m.safetensors"], in: folder.url)
        #expect(initRun.status == .success)
        var environment = ProcessInfo.processInfo.environment
        environment["ACTIVESEG_ARTIFACT_ROOT"] = folder.file("artifacts").path
        environment["ACTIVESEG_SUBJECT_PREFIX"] =
            "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let run = await activeseg(
            ["case", "overlay", UUID().uuidString, "--checkpoint", "m.safetensors", "--out", "o.png"],
            in: folder.url, environment: environment)
        #expect(run.status == .unavailable, "\(run.errors)")
        #expect(run.errors.contains("the scorer service"), "\(run.errors)")
    }

    /// Records a dataset with one labelled training case whose artifacts are `image` and `label`, in
    /// the services' schema; the case's id.
    private static func record(
        _ name: String, image: ArtifactID, label: ArtifactID, environment: [String: String]
    ) async throws -> String {
        let client = PostgresClient(
            configuration: try PostgresConfiguration(environment: environment),
            logger: Logger(label: "activeseg.cli.tests") { _ in SwiftLogNoOpLogHandler() })
        do {
            let dataset = try await DatasetRepository.ensure(
                DatasetRecord(
                    id: .random(), name: "cohort", sourceKind: .synthetic, sourceURI: "synthetic://\(UUID())",
                    testFraction: 0.2, splitSeed: 1), on: client)
            let stored = try await CaseRepository.record(
                [
                    CaseRecord(
                        id: .random(), datasetID: dataset.id, sourceName: name, patientID: name,
                        state: .ingested(split: .train, imageSHA256: image.sha256, labelSHA256: label.sha256))
                ], on: client)
            await client.shutdown()
            return stored[0].id.wireForm
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
