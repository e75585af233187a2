import Foundation
import Logging
import Store
import TestSupport
import Testing

/// `label import` against the ingest process: files sent by the case names they carry, which ingest
/// resolves to the experiment's cases, and the rpc sent over the stack's NATS under a subject prefix
/// no ingest worker serves.
@Suite(.tags(.stack), .needsLocalStack) struct LabelImportCommandTests {
    @Test func labelsForKnownCasesGoToIngestAndNobodyAnswering() async throws {
        try await withCaseFixture(["ingest"]) { fixture in
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
            #expect(run.errors.contains("hint: is the ingest service running?"))
        }
    }

    @Test func aFileNamingNoCaseIsRefusedByIngestNamingIt() async throws {
        try await withCaseFixture(["ingest"]) { fixture in
            try await Self.execute(
                "UPDATE experiments SET status = 'running' WHERE id = \(fixture.experiment)", fixture)
            let folder = try TemporaryFolder()
            try FileManager.default.createDirectory(at: folder.file("labels"), withIntermediateDirectories: true)
            try Data().write(to: folder.file("labels/case-a.nii.gz"))
            try Data().write(to: folder.file("labels/stranger.nii"))
            let run = await activeseg(
                ["label", "import", "--experiment", fixture.experiment.uuidString, "--labels", "labels", "--json"],
                in: folder.url, environment: fixture.environment)
            #expect(run.status == .dataError, "\(run.errors)")
            let report = try decode(ImportReport.self, from: run.output)
            #expect(report.round == 1, "the round annotating now")
            let stranger = try #require(report.rejected["stranger"], "\(run.output)")
            #expect(stranger.contains("no case of the experiment's dataset is named stranger"), "\(stranger)")
            #expect(report.rejected["case-a"] != nil, "an empty file is no label: \(run.output)")
            #expect(report.accepted.isEmpty && report.missing == ["case-a"])
            #expect(run.errors.contains("2 label(s) refused: case-a, stranger"), "\(run.errors)")
        }
    }

    @Test func withoutARoundWaitingForLabelsIngestSaysSo() async throws {
        try await withCaseFixture(["ingest"]) { fixture in
            try await Self.execute(
                "UPDATE experiments SET status = 'running' WHERE id = \(fixture.experiment)", fixture)
            try await Self.execute(
                "UPDATE rounds SET phase = 'training' WHERE experiment_id = \(fixture.experiment) AND round_index = 1",
                fixture)
            let folder = try TemporaryFolder()
            try FileManager.default.createDirectory(at: folder.file("labels"), withIntermediateDirectories: true)
            try Data().write(to: folder.file("labels/case-a.nii.gz"))
            let run = await activeseg(
                ["label", "import", "--experiment", fixture.experiment.uuidString, "--labels", "labels"],
                in: folder.url, environment: fixture.environment)
            #expect(run.status == .dataError, "\(run.errors)")
            #expect(run.errors.contains("is waiting for labels (none is annotating)"), "\(run.errors)")
            #expect(run.output.isEmpty)
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

    /// What `activeseg label import --json` prints.
    private struct ImportReport: Decodable {
        var round: UInt32
        var accepted: [String]
        var rejected: [String: String]
        var missing: [String]
    }

    /// Runs one statement in the fixture's schema.
    private static func execute(_ statement: PostgresQuery, _ fixture: CaseFixture) async throws {
        let client = PostgresClient(
            configuration: try PostgresConfiguration(environment: fixture.environment),
            logger: Logger(label: "activeseg.cli.tests") { _ in SwiftLogNoOpLogHandler() })
        do {
            _ = try await client.query(statement)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
