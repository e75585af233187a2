import Foundation
import Logging
import SyntheticData
import TestSupport
import Testing
import Volume

@testable import CommandLineTools

@Suite struct SynthCommandTests {
    @Test func aTinyPhantomCohortGoesThroughTheBraTSImporter() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(
            [
                "synth", "--cases", "3", "--seed", "11", "--out", "cohort", "--anatomy", "phantom",
                "--spacing-scale", "4", "--json",
            ], in: folder.url)
        #expect(run.status == .success, "\(run.errors)")
        #expect(run.errors.isEmpty, "no progress drawn when the error stream is not a terminal")
        let summary = try decode(CohortSummary.self, from: run.output)
        #expect(summary.cases.map(\.id) == ["Synth_00001", "Synth_00002", "Synth_00003"])
        #expect(summary.subtypeCounts.values.reduce(0, +) == 3)

        let discoveries = try BraTSDataset.discover(root: folder.file("cohort"))
        #expect(discoveries.count == 3)
        var configuration = PreprocessingConfiguration()
        configuration.spacing = SIMD3(repeating: 5)
        let importer = CaseImporter(
            preprocessor: Preprocessor(configuration), concurrency: 1, logger: Logger(label: "test"))
        for discovery in discoveries {
            let source = try discovery.get()
            let preprocessed = try importer.importCase(source)
            #expect(preprocessed.label != nil, "\(source.id) has its segmentation")
            #expect(try preprocessed.t1c.axisCodes() == .lps)
        }
    }

    @Test func theTextSummaryCountsSubtypes() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(
            [
                "synth", "--cases", "2", "--seed", "11", "--out", "cohort", "--anatomy", "phantom",
                "--spacing-scale", "4",
            ], in: folder.url)
        #expect(run.status == .success, "\(run.errors)")
        let summary = try JSONDecoder().decode(
            CohortSummary.self, from: Data(contentsOf: folder.file("cohort/cohort.json")))
        #expect(run.output.contains("Wrote 2 cases to \(folder.file("cohort").path)"))
        for subtype in TumorSubtype.allCases {
            let count = summary.subtypeCounts[subtype.rawValue] ?? 0
            #expect(
                run.output.range(of: "\(subtype.rawValue) +\(count)\n", options: .regularExpression) != nil,
                "\(subtype.rawValue) \(count) in \(run.output)")
        }
    }

    @Test func progressIsDrawnOnATerminal() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(
            [
                "synth", "--cases", "2", "--seed", "11", "--out", "cohort", "--anatomy", "phantom",
                "--spacing-scale", "4",
            ], in: folder.url, errorsIsTerminal: true)
        #expect(run.status == .success)
        #expect(run.errors.contains("\rsynth ["))
        #expect(run.errors.hasSuffix("] 2/2\n"))
    }

    @Test func aMissingTemplateSaysHowToGetOne() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(
            ["synth", "--cases", "1", "--seed", "1", "--out", "cohort", "--template-dir", "nowhere"],
            in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains(folder.file("nowhere").path))
        #expect(run.errors.contains("hint: run scripts/fetch-template"))
    }

    @Test(arguments: [
        ["--cases", "0", "--seed", "1", "--out", "c"],
        ["--cases", "1", "--out", "c"],
        ["--cases", "1", "--seed", "1", "--out", "c", "--anatomy", "phantom", "--template-dir", "t"],
        ["--cases", "1", "--seed", "1", "--out", "c", "--spacing-scale", "-2"],
    ])
    func invalidOptionsAreUsageErrors(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["synth"] + arguments, in: folder.url)
        #expect(run.status == .usage)
        #expect(!FileManager.default.fileExists(atPath: folder.file("c").path))
    }
}
