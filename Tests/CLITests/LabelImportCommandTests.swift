import Foundation
import TestSupport
import Testing

/// `label import` up to the orchestrator: file names resolved to the experiment's cases through
/// the database, and the rpc sent over the stack's NATS under a subject prefix no orchestrator
/// serves.
@Suite struct LabelImportCommandTests {
    @Test func labelsForKnownCasesGoToTheOrchestratorAndNobodyAnswering() async throws {
        try await withCaseFixture { fixture in
            let folder = try TemporaryFolder()
            try FileManager.default.createDirectory(at: folder.file("labels"), withIntermediateDirectories: true)
            try Data().write(to: folder.file("labels/case-a_seg.nii.gz"))
            var environment = fixture.environment
            environment["ACTIVESEG_SUBJECT_PREFIX"] =
                "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
            let run = await activeseg(
                ["label", "import", "--experiment", fixture.experiment.uuidString, "--labels", "labels"],
                in: folder.url, environment: environment)
            #expect(run.status == .unavailable, "\(run.errors)")
            #expect(run.errors.contains("hint: is the orchestrator running?"))
        }
    }

    @Test func aFileNamingNoCaseIsADataErrorBeforeAnythingIsSent() async throws {
        try await withCaseFixture { fixture in
            let folder = try TemporaryFolder()
            try FileManager.default.createDirectory(at: folder.file("labels"), withIntermediateDirectories: true)
            try Data().write(to: folder.file("labels/case-a.nii.gz"))
            try Data().write(to: folder.file("labels/stranger.nii"))
            let run = await activeseg(
                ["label", "import", "--experiment", fixture.experiment.uuidString, "--labels", "labels"],
                in: folder.url, environment: fixture.environment)
            #expect(run.status == .dataError)
            #expect(run.errors.contains("no case of the experiment's dataset is named stranger"))
        }
    }

    @Test func anEmptyFolderIsADataError() async throws {
        let folder = try TemporaryFolder()
        try FileManager.default.createDirectory(at: folder.file("labels"), withIntermediateDirectories: true)
        let run = await activeseg(
            ["label", "import", "--experiment", UUID().uuidString, "--labels", "labels"], in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains("no .nii or .nii.gz files"))
    }
}
