import Foundation
import Proto
import Reporting
import Statistics
import Testing

@testable import CommandLineTools

/// The summary table of `activeseg experiment compare`: per strategy the orchestrator's count of
/// equivalent repetitions beside the data share and area of the stored per-case Dice, with their
/// interval across repetitions when there are several.
@Suite struct ComparisonTableTests {
    static let cases = ["c1", "c2", "c3", "c4", "c5", "c6"]
    static let fullData = [0.86, 0.79, 0.91, 0.74, 0.83, 0.88]

    static func round(_ index: Int, shift: [Double]) -> RoundEvaluation {
        RoundEvaluation(
            round: index, annotatedCases: 40 * (index + 1),
            dice: Dictionary(uniqueKeysWithValues: zip(cases, zip(fullData, shift).map { $0 - $1 })))
    }

    static let far = [0.30, 0.25, 0.35, 0.28, 0.33, 0.31]
    static let near = [0.01, -0.02, 0.02, 0.00, 0.01, -0.01]

    /// random reaches the full-data model at round 1 in one repetition and round 2 in the other;
    /// margins only in its second repetition.
    static func analysis(repetitions: Int) throws -> LearningCurveAnalysis {
        let evaluations = [
            StrategyEvaluation(
                strategy: "random", repetition: 0,
                rounds: [round(0, shift: far), round(1, shift: near), round(2, shift: near)]),
            StrategyEvaluation(
                strategy: "margins", repetition: 0,
                rounds: [round(0, shift: far), round(1, shift: far), round(2, shift: far)]),
            StrategyEvaluation(
                strategy: "random", repetition: 1,
                rounds: [round(0, shift: far), round(1, shift: far), round(2, shift: near)]),
            StrategyEvaluation(
                strategy: "margins", repetition: 1,
                rounds: [round(0, shift: far), round(1, shift: near), round(2, shift: near)]),
        ]
        return try LearningCurveAnalysis(
            trainingPoolSize: 200, fullDataDice: Dictionary(uniqueKeysWithValues: zip(cases, fullData)),
            strategies: Array(evaluations.prefix(2 * repetitions)))
    }

    static func comparison(_ analysis: LearningCurveAnalysis) -> ExperimentComparison {
        ExperimentComparison.with {
            $0.outcomes = analysis.summaries.map { summary in
                StrategyOutcome.with {
                    $0.experimentID = summary.strategy
                    $0.strategy = summary.strategy == "random" ? .random : .margins
                    $0.restriction = .none
                    $0.repetitions = UInt32(summary.repetitions)
                    $0.equivalentRepetitions = UInt32(summary.equivalentRepetitions)
                }
            }
        }
    }

    static func row(_ table: String, _ strategy: String) throws -> [String] {
        let line = try #require(table.split(separator: "\n").first { $0.hasPrefix(strategy + " ") })
        return line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    @Test func repetitionsShowTheMeanWithItsIntervalAndCountThoseThatNeverReachedEquivalence() throws {
        let analysis = try Self.analysis(repetitions: 2)
        let table = ExperimentCompareCommand.table(
            Self.comparison(analysis), finals: [], elapsed: [], analysis: .success(analysis))
        let random = try Self.row(table, "random"), margins = try Self.row(table, "margins")
        let share = try #require(analysis.summaries[0].equivalentShare?.interval)
        #expect(
            random == [
                "random", "-", "2/2",
                "50.0% [\(LearningCurveReport.percent(share.lower)), \(LearningCurveReport.percent(share.upper))]",
                "100.0%",
                LearningCurveReport.outcome(
                    LearningCurveReport.fixed, try #require(analysis.summaries[0].normalisedArea)),
                "-", "-",
            ])
        #expect(random[5].contains(" ["), "an area interval from two repetitions")
        // margins reached equivalence in one of its two repetitions: that share alone, no interval.
        #expect(margins[2] == "1/2" && margins[3] == "40.0%" && margins[4] == "80.0%")
        #expect(table.contains("mean [95% t-interval of the mean] across repetitions"))
        #expect(table.split(separator: "\n").first?.contains("AUBC") == true)
    }

    @Test func oneRepetitionShowsSingleValuesAndSaysThereIsNoInterval() throws {
        let analysis = try Self.analysis(repetitions: 1)
        let table = ExperimentCompareCommand.table(
            Self.comparison(analysis), finals: [], elapsed: [], analysis: .success(analysis))
        let random = try Self.row(table, "random"), margins = try Self.row(table, "margins")
        #expect(random[2] == "1/1" && random[3] == "40.0%" && !random[5].contains("["))
        #expect(margins[2] == "0/1" && margins[3] == "not reached" && margins[4] == "-")
        #expect(table.contains("one repetition per strategy: single values, no interval across repetitions"))
    }

    @Test func unreadableDiceLeaveTheSharesOutAndSayWhy() throws {
        let analysis = try Self.analysis(repetitions: 1)
        let error = CommandLineError(.unavailable, subject: "PostgreSQL", detail: "no DSN", hint: nil)
        let table = ExperimentCompareCommand.table(
            Self.comparison(analysis), finals: [], elapsed: [], analysis: .failure(error))
        #expect(try Self.row(table, "random")[3] == "not reached")
        #expect(table.contains("data shares and AUBC unavailable: "))
    }
}
