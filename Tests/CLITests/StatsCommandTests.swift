import Foundation
import Statistics
import TestSupport
import Testing

@testable import CommandLineTools

@Suite struct StatsCommandTests {
    static let first = [0.81, 0.77, 0.92, 0.68, 0.85, 0.79, 0.88, 0.73, 0.90, 0.66]
    static let second = [0.83, 0.75, 0.90, 0.71, 0.86, 0.80, 0.85, 0.70, 0.91, 0.69]

    /// Writes the two samples, one number per line, with a blank line and surrounding spaces that
    /// the reader must tolerate.
    static func writeSamples(in folder: TemporaryFolder) throws {
        try (first.map { " \($0)" }.joined(separator: "\n") + "\n\n").write(
            to: folder.file("a.txt"), atomically: true, encoding: .utf8)
        try second.map { "\($0)" }.joined(separator: "\n").write(
            to: folder.file("b.txt"), atomically: true, encoding: .utf8)
    }

    @Test(arguments: TOSTDesign.allCases)
    func tostJSONEqualsTheStatisticsLibrary(_ design: TOSTDesign) async throws {
        let folder = try TemporaryFolder()
        try Self.writeSamples(in: folder)
        let run = await activeseg(
            [
                "stats", "tost", "--a", "a.txt", "--b", "b.txt", "--low", "-0.04", "--high", "0.04",
                "--\(design.rawValue)", "--json",
            ], in: folder.url)
        #expect(run.status == .success, "\(run.errors)")
        let report = try decode(TOSTCommand.Report.self, from: run.output)
        let expected = try tost(Self.first, Self.second, low: -0.04, high: 0.04, design: design)
        #expect(report.design == design.rawValue)
        #expect(report.lower == expected.lower)
        #expect(report.upper == expected.upper)
        #expect(report.meanDifference == expected.meanDifference)
        #expect(report.pValue == expected.pValue)
        #expect(report.degreesOfFreedom == expected.lower.degreesOfFreedom)
        #expect(report.equivalent == expected.isEquivalent(alpha: 0.05))
        #expect(report.differenceInterval == (try expected.differenceInterval(alpha: 0.05)))
        #expect(report.countA == 10 && report.countB == 10)
    }

    @Test func tostTextShowsBothTestsAndTheTOSTPValue() async throws {
        let folder = try TemporaryFolder()
        try Self.writeSamples(in: folder)
        let run = await activeseg(
            ["stats", "tost", "--a", "a.txt", "--b", "b.txt", "--low", "-0.04", "--high", "0.04"],
            in: folder.url)
        #expect(run.status == .success)
        let expected = try tost(Self.first, Self.second, low: -0.04, high: 0.04, design: .paired)
        let interval = try expected.differenceInterval(alpha: 0.05)
        let n = TextFormat.number
        for fact in [
            "paired, 10 pairs",
            "t = \(n(expected.lower.statistic)), p = \(n(expected.lower.pValue))",
            "t = \(n(expected.upper.statistic)), p = \(n(expected.upper.pValue))",
            "df               9",
            "TOST p           \(n(expected.pValue))",
            "interval         [\(n(interval.lower)), \(n(interval.upper))]  (90%",
        ] {
            #expect(run.output.contains(fact), "\(fact) in \(run.output)")
        }
    }

    @Test func aLineThatIsNotANumberIsADataErrorNamingFileAndLine() async throws {
        let folder = try TemporaryFolder()
        try Self.writeSamples(in: folder)
        try "0.8\n0.7\nn/a\n".write(to: folder.file("b.txt"), atomically: true, encoding: .utf8)
        let run = await activeseg(
            ["stats", "tost", "--a", "a.txt", "--b", "b.txt", "--low", "-1", "--high", "1"],
            in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains("\(folder.file("b.txt").path), line 3: 'n/a' is not a finite number"))
    }

    @Test func unpairableSamplesAreADataError() async throws {
        let folder = try TemporaryFolder()
        try Self.writeSamples(in: folder)
        try "0.8\n0.7\n0.9\n".write(to: folder.file("b.txt"), atomically: true, encoding: .utf8)
        let run = await activeseg(
            ["stats", "tost", "--a", "a.txt", "--b", "b.txt", "--low", "-1", "--high", "1"],
            in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains("10 and 3 values cannot be paired"))
    }

    @Test func aMissingSampleFileIsADataErrorNamingTheFile() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(
            ["stats", "tost", "--a", "a.txt", "--b", "b.txt", "--low", "-1", "--high", "1"],
            in: folder.url)
        #expect(run.status == .dataError)
        #expect(run.errors.contains("file not found: \(folder.file("a.txt").path)"))
    }

    @Test(arguments: [
        ["--low", "0.1", "--high", "-0.1"],
        ["--low", "-0.1", "--high", "0.1", "--paired", "--welch"],
        ["--low", "-0.1"],
        ["--low", "-0.1", "--high", "0.1", "--alpha", "0.5"],
    ])
    func invalidBoundsOrDesignsAreUsageErrors(_ options: [String]) async throws {
        let folder = try TemporaryFolder()
        try Self.writeSamples(in: folder)
        let run = await activeseg(["stats", "tost", "--a", "a.txt", "--b", "b.txt"] + options, in: folder.url)
        #expect(run.status == .usage)
        #expect(run.errors.contains("Usage: activeseg stats tost"), "\(run.errors)")
    }
}
