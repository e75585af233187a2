import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Statistics

/// A small experiment with fixed numbers: six test cases, a pool of 200 training cases, and two
/// strategies whose curves approach the full-data model at different speeds.
enum FixedExperiment {
    static let cases = ["c1", "c2", "c3", "c4", "c5", "c6"]
    static let fullData = [0.86, 0.79, 0.91, 0.74, 0.83, 0.88]

    static func round(_ round: Int, annotated: Int, shift: [Double]) -> RoundEvaluation {
        let dice = zip(fullData, shift).map { $0 - $1 }
        return RoundEvaluation(round: round, annotatedCases: annotated,
                               dice: Dictionary(uniqueKeysWithValues: zip(cases, dice)))
    }

    static let strategies = [
        StrategyEvaluation(strategy: "random", rounds: [
            round(0, annotated: 40, shift: [0.30, 0.25, 0.35, 0.28, 0.33, 0.31]),
            round(1, annotated: 80, shift: [0.12, 0.18, 0.10, 0.15, 0.14, 0.11]),
            round(2, annotated: 120, shift: [0.01, -0.02, 0.02, 0.00, 0.01, -0.01]),
        ]),
        StrategyEvaluation(strategy: "dropout-train-test", rounds: [
            round(1, annotated: 80, shift: [0.02, -0.01, 0.01, 0.00, 0.02, -0.02]),
            round(0, annotated: 40, shift: [0.25, 0.22, 0.30, 0.24, 0.29, 0.27]),
            round(2, annotated: 120, shift: [0.00, 0.01, -0.01, 0.00, 0.01, 0.00]),
        ]),
    ]

    /// A second repetition of each: random reaches the full-data model a round earlier, dropout
    /// never does.
    static let secondRepetitions = [
        StrategyEvaluation(strategy: "random", repetition: 1, rounds: [
            round(0, annotated: 40, shift: [0.28, 0.22, 0.31, 0.30, 0.26, 0.29]),
            round(1, annotated: 80, shift: [0.01, 0.00, 0.02, -0.01, 0.01, 0.00]),
            round(2, annotated: 120, shift: [0.00, 0.01, 0.00, -0.01, 0.01, 0.00]),
        ]),
        StrategyEvaluation(strategy: "dropout-train-test", repetition: 1, rounds: [
            round(0, annotated: 40, shift: [0.32, 0.27, 0.35, 0.30, 0.31, 0.33]),
            round(1, annotated: 80, shift: [0.30, 0.25, 0.33, 0.29, 0.28, 0.31]),
            round(2, annotated: 120, shift: [0.26, 0.22, 0.30, 0.24, 0.25, 0.27]),
        ]),
    ]

    static func analysis(_ evaluations: [StrategyEvaluation] = strategies) throws -> LearningCurveAnalysis {
        try LearningCurveAnalysis(trainingPoolSize: 200,
                                  fullDataDice: Dictionary(uniqueKeysWithValues: zip(cases, fullData)),
                                  strategies: evaluations)
    }
}

@Suite struct LearningCurveAnalysisTests {
    @Test func findsTheFirstEquivalentRoundAndItsShareRelativeToRandom() throws {
        let analysis = try FixedExperiment.analysis()
        let random = try #require(analysis.strategies.first { $0.strategy == "random" })
        let dropout = try #require(analysis.strategies.first { $0.strategy == "dropout-train-test" })
        #expect(random.firstEquivalentRound == 2 && random.equivalentShare == 0.6)
        #expect(dropout.firstEquivalentRound == 1 && dropout.equivalentShare == 0.4)
        #expect(random.shareRelativeToBaseline == 1)
        #expect(close(try #require(dropout.shareRelativeToBaseline), 0.4 / 0.6, relative: 1e-15))
        #expect(dropout.rounds.map(\.round) == [0, 1, 2])
    }

    @Test func roundTestsArePairedAgainstTheFullDataModel() throws {
        let analysis = try FixedExperiment.analysis()
        let round = analysis.strategies[0].rounds[1]
        let values = FixedExperiment.strategies[0].rounds[1]
        let expected = try tost(FixedExperiment.cases.map { values.dice[$0]! }, FixedExperiment.fullData,
                                low: analysis.bounds.low, high: analysis.bounds.high, design: .paired)
        #expect(round.tost == expected)
        #expect(round.trainingShare == 0.4)
        #expect(close(round.tost.meanDifference, -0.8 / 6, relative: 1e-12))
    }

    @Test func normalisedAreaIsTheCurveOverTheFullDataLine() throws {
        let analysis = try FixedExperiment.analysis()
        let rounds = analysis.strategies[0].rounds
        let means = rounds.map(\.dice.mean)
        let area = 0.2 * (means[0] + means[1]) / 2 + 0.2 * (means[1] + means[2]) / 2
        let expected = area / (analysis.fullData.mean * 0.4)
        #expect(close(try #require(analysis.strategies[0].normalisedArea), expected, relative: 1e-12))
    }

    @Test func everyRoundCarriesTheIntervalOfItsTOSTAtAlpha() throws {
        let analysis = try FixedExperiment.analysis()
        for round in analysis.strategies.flatMap(\.rounds) {
            #expect(round.differenceInterval == (try round.tost.differenceInterval(alpha: analysis.bounds.alpha)))
            #expect(round.differenceInterval.isInside(low: analysis.bounds.low, high: analysis.bounds.high) == round.isEquivalent)
        }
        #expect(analysis.strategies.flatMap(\.rounds).contains { !$0.isEquivalent }, "both verdicts occur")
    }

    @Test func repetitionsAreSummarisedPerStrategyWithTheirIntervals() throws {
        let analysis = try FixedExperiment.analysis(FixedExperiment.strategies + FixedExperiment.secondRepetitions)
        #expect(analysis.summaries.map(\.strategy) == ["random", "dropout-train-test"])
        let random = analysis.summaries[0], dropout = analysis.summaries[1]
        #expect(random.repetitions == 2 && random.equivalentRepetitions == 2)
        let share = try #require(random.equivalentShare)
        #expect(share.values == [0.6, 0.4] && close(share.mean, 0.5, relative: 1e-15))
        // SD of (0.6, 0.4) is √0.02, SE 0.1; scipy: t.ppf(0.975, 1) = 12.706204736174707.
        let interval = try #require(share.interval)
        #expect(close(interval.lower, 0.5 - 1.2706204736174707, relative: 1e-9))
        #expect(close(interval.upper, 0.5 + 1.2706204736174707, relative: 1e-9))
        // The repetition that never reached equivalence is counted, not averaged in.
        #expect(dropout.repetitions == 2 && dropout.equivalentRepetitions == 1)
        #expect(dropout.equivalentShare?.values == [0.4] && dropout.equivalentShare?.interval == nil)
        #expect(close(try #require(dropout.shareRelativeToBaseline), 0.4 / 0.5, relative: 1e-15))
        #expect(random.shareRelativeToBaseline == 1)
        let areas = analysis.strategies.filter { $0.strategy == "random" }.compactMap(\.normalisedArea)
        #expect(random.normalisedArea?.values == areas && areas.count == 2)
        #expect(random.normalisedArea?.interval == (try ConfidenceInterval(meanOf: areas)))
        #expect(random.curve.map(\.round) == [0, 1, 2])
        #expect(random.curve[1].meanDice.values == analysis.strategies.filter { $0.strategy == "random" }.map(\.rounds[1].dice.mean))
        #expect(random.curve.map(\.trainingShare) == [0.2, 0.4, 0.6])
    }

    @Test func aShareIsRelativeToTheBaselineOfTheSameRepetition() throws {
        let analysis = try FixedExperiment.analysis(FixedExperiment.strategies + FixedExperiment.secondRepetitions)
        let dropout = analysis.strategies.filter { $0.strategy == "dropout-train-test" }
        #expect(dropout.map(\.repetition) == [0, 1])
        #expect(close(try #require(dropout[0].shareRelativeToBaseline), 0.4 / 0.6, relative: 1e-15))
        #expect(dropout[1].shareRelativeToBaseline == nil)
        let random = analysis.strategies.filter { $0.strategy == "random" }
        #expect(random.map(\.shareRelativeToBaseline) == [1, 1])
    }

    @Test func aRoundMissingATestCaseIsRejectedWithItsName() throws {
        var strategies = FixedExperiment.strategies
        strategies[1].rounds[0].dice["c4"] = nil
        let error = try #require(throws: StatisticsError.self) {
            try LearningCurveAnalysis(trainingPoolSize: 200,
                                      fullDataDice: Dictionary(uniqueKeysWithValues: zip(FixedExperiment.cases,
                                                                                           FixedExperiment.fullData)),
                                      strategies: strategies)
        }
        #expect(error.code == .mismatchedInputs)
        #expect(error.description.contains("dropout-train-test round 1") && error.description.contains("c4"))
    }

    @Test func storedAnalysisDecodesToTheSameValue() throws {
        let analysis = try FixedExperiment.analysis()
        let decoded = try JSONDecoder().decode(LearningCurveAnalysis.self, from: JSONEncoder().encode(analysis))
        #expect(decoded == analysis)
    }
}

@Suite struct LearningCurveReportTests {
    @Test func markdownTableIsStable() throws {
        // The round lines' intervals and p-values are statsmodels' (tconfint_mean at alpha 0.1,
        // ttost_paired with bounds ±0.1301947735509817), rounded as printed.
        let markdown = LearningCurveReport.markdown(try FixedExperiment.analysis())
        #expect(markdown == """
            Full-data model: mean Dice 0.8350 (SD 0.0622, n = 6).
            Equivalence bounds: ±0.1302 (2 × Δ, Δ = 0.0651), paired TOST, α = 0.05.
            Margin ±0.130 = 2 × Δ: Δ = 0.065 = t(0.95, df 10) × SD 0.062 × √(2/6) is the widest gap at which the full-data model's Dice over its 6 test cases is equivalent to itself; a round is equivalent when the 90% interval of its mean Dice difference lies within the margin. At this SD a margin of ±0.065 would take 21 test cases.
            One repetition per strategy: single values, no interval across repetitions.

            | Strategy | Reached | First equivalent round | Annotated cases | Share of training data | Relative to random | Normalised AUBC |
            |---|---:|---:|---:|---:|---:|---:|
            | random | 1/1 | 2 | 120 | 60.0% | 100.0% | 0.8288 |
            | dropout-train-test | 1/1 | 1 | 80 | 40.0% | 66.7% | 0.9192 |

            Rounds: mean Dice difference to the full-data model with its 90% interval, against the bounds.

            - random round 0: 40 cases (20.0%), mean Dice 0.532, difference −0.303 [−0.333, −0.274] not within ±0.130: not equivalent (p 1.0000)
            - random round 1: 80 cases (40.0%), mean Dice 0.702, difference −0.133 [−0.158, −0.109] not within ±0.130: not equivalent (p 0.5978)
            - random round 2: 120 cases (60.0%), mean Dice 0.833, difference −0.002 [−0.014, +0.010] within ±0.130: equivalent (p <0.0001)
            - dropout-train-test round 0: 40 cases (20.0%), mean Dice 0.573, difference −0.262 [−0.287, −0.236] not within ±0.130: not equivalent (p 0.9999)
            - dropout-train-test round 1: 80 cases (40.0%), mean Dice 0.832, difference −0.003 [−0.017, +0.010] within ±0.130: equivalent (p <0.0001)
            - dropout-train-test round 2: 120 cases (60.0%), mean Dice 0.833, difference −0.002 [−0.008, +0.005] within ±0.130: equivalent (p <0.0001)

            """)
    }

    @Test func markdownSaysWhenEquivalenceIsNotReached() throws {
        var strategies = FixedExperiment.strategies
        strategies[0].rounds.removeLast()
        let markdown = LearningCurveReport.markdown(try FixedExperiment.analysis(strategies))
        #expect(markdown.contains("| random | 0/1 | not reached | – | – | – | 0.7385 |"))
        #expect(markdown.contains("| dropout-train-test | 1/1 | 1 | 80 | 40.0% | – |"))
    }

    @Test func csvHoldsEveryRoundWithStatsmodelsValues() throws {
        let lines = LearningCurveReport.csv(try FixedExperiment.analysis()).split(separator: "\n")
        #expect(lines.count == 1 + 6)
        #expect(lines[0].hasPrefix("strategy,repetition,round,annotated_cases,training_share,n,mean_dice"))
        let header = lines[0].split(separator: ",").map(String.init)
        let fields = lines[2].split(separator: ",").map(String.init)
        func number(_ column: String) throws -> Double {
            let index = try #require(header.firstIndex(of: column))
            return try #require(Double(fields[index]))
        }
        #expect(fields[0] == "random" && fields[1] == "1" && fields[2] == "1" && fields[3] == "80" && fields.last == "false")
        // statsmodels ttost_paired of this round against the full-data Dice with bounds ±0.1301947735509817.
        #expect(close(try number("p_lower"), 0.5978016854409827, relative: 1e-12))
        #expect(close(try number("t_upper"), -21.926863889938915, relative: 1e-12))
        // statsmodels DescrStatsW(differences).tconfint_mean(alpha=0.1).
        #expect(close(try number("difference_ci_low"), -0.15755120077530838, relative: 1e-10))
        #expect(close(try number("difference_ci_high"), -0.10911546589135827, relative: 1e-10))
        #expect(try number("ci_level") == 0.9)
    }

    @Test func roundLineShowsTheDifferenceWithItsIntervalBesideTheMargin() throws {
        let analysis = try FixedExperiment.analysis()
        let equivalent = analysis.strategies[1].rounds[1], not = analysis.strategies[0].rounds[0]
        let interval = equivalent.differenceInterval
        #expect(LearningCurveReport.roundLine(equivalent, bounds: analysis.bounds) == "round 1: 80 cases (40.0%), mean Dice "
            + String(format: "%.3f", equivalent.dice.mean) + ", difference −0.003 ["
            + String(format: "%+.3f", interval.lower).replacingOccurrences(of: "-", with: "−") + ", "
            + String(format: "%+.3f", interval.upper) + "] within ±0.130: equivalent (p <0.0001)")
        let line = LearningCurveReport.roundLine(not, bounds: analysis.bounds)
        #expect(line.hasPrefix("round 0: 40 cases (20.0%), mean Dice 0.532, difference −0.303 [−0.3"))
        #expect(line.hasSuffix("not within ±0.130: not equivalent (p 1.0000)"))
    }

    @Test func marginIsExplainedByItsTestCasesSpreadAndSelfEquivalenceGap() throws {
        let analysis = try FixedExperiment.analysis()
        let text = LearningCurveReport.marginExplanation(analysis)
        #expect(text.hasPrefix("Margin ±0.130 = 2 × Δ: Δ = 0.065 = t(0.95, df 10) × SD 0.062 × √(2/6)"))
        #expect(text.contains("over its 6 test cases") && text.contains("90% interval"))
        // scipy: the fewest n with 2 · t(0.95, 2n − 2) · 0.0622 · √(2/n) ≤ 0.0651 is 21.
        #expect(text.hasSuffix("At this SD a margin of ±0.065 would take 21 test cases."))
    }

    @Test func markdownSummarisesRepetitionsWithIntervalsAndCountsThoseNotReached() throws {
        let markdown = LearningCurveReport.markdown(
            try FixedExperiment.analysis(FixedExperiment.strategies + FixedExperiment.secondRepetitions))
        #expect(markdown.contains("| random | 2/2 | 2, 1 | 120, 80 | 50.0% [-77.1%, 177.1%] | 100.0% | "))
        #expect(markdown.contains("| dropout-train-test | 1/2 | 1, – | 80, – | 40.0% | 80.0% | "))
        #expect(markdown.contains("mean [95% t-interval of the mean]"))
        #expect(markdown.contains("- dropout-train-test repetition 2 round 2: 120 cases (60.0%)"))
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Strategy") }
        #expect(rows.count == 2, "one row per strategy, not per repetition")
    }

    @Test func csvQuotesStrategyNamesWithCommas() {
        #expect(LearningCurveReport.csvField("bootstrap, top-q") == "\"bootstrap, top-q\"")
        #expect(LearningCurveReport.csvField("say \"x\"") == "\"say \"\"x\"\"\"")
    }

    @Test func svgParsesAsXMLWithOnePathPerStrategyAndADashedFullDataLine() throws {
        var strategies = FixedExperiment.strategies
        strategies[1].strategy = "bootstrap <top-q & \"mean\">"
        let analysis = try LearningCurveAnalysis(
            trainingPoolSize: 200, fullDataDice: Dictionary(uniqueKeysWithValues: zip(FixedExperiment.cases,
                                                                                     FixedExperiment.fullData)),
            strategies: strategies)
        let elements = try SVGElements(LearningCurvePlot.svg(analysis))
        #expect(elements.root == "svg")
        #expect(elements.paths.count == analysis.strategies.count)
        #expect(elements.strategies == ["random", "bootstrap <top-q & \"mean\">"])
        #expect(elements.dashedLines == 1)
        // Three lines per error bar (stem and caps) for each round with a finite standard error.
        #expect(elements.errorBarLines == 3 * 6)
        #expect(elements.bands.isEmpty, "one repetition has no band across repetitions")
    }

    @Test func svgDrawsOneIntervalBandPerRepeatedStrategy() throws {
        let analysis = try FixedExperiment.analysis(FixedExperiment.strategies + FixedExperiment.secondRepetitions)
        let elements = try SVGElements(LearningCurvePlot.svg(analysis))
        #expect(elements.strategies == ["random", "dropout-train-test"])
        #expect(elements.bands.count == 2)
        #expect(elements.paths.count == 2 * 2, "a band and a mean line per strategy")
        #expect(elements.errorBarLines == 0, "repetitions replace the per-case error bars")
        // A closed outline through the upper ends and back along the lower ends: 2 × 3 rounds.
        for band in elements.bands {
            #expect(band.hasSuffix(" Z") && band.split(separator: " ").filter { $0.hasPrefix("M") || $0.hasPrefix("L") }.count == 6)
        }
    }
}

/// What the learning-curve SVG contains, read back with Foundation's XML parser.
final class SVGElements: NSObject, XMLParserDelegate {
    private(set) var root: String?
    private(set) var paths: [String] = []
    /// The `d` of every interval band.
    private(set) var bands: [String] = []
    private(set) var strategies: [String] = []
    private(set) var dashedLines = 0
    private(set) var errorBarLines = 0
    private var groupDepth = 0

    init(_ svg: String) throws {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        guard parser.parse() else {
            throw parser.parserError ?? CocoaError(.propertyListReadCorrupt)
        }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if root == nil { root = name }
        switch name {
        case "g":
            groupDepth += 1
            if let strategy = attributes["data-strategy"] { strategies.append(strategy) }
        case "path":
            paths.append(attributes["d"] ?? "")
            if attributes["class"] == "band" { bands.append(attributes["d"] ?? "") }
        case "line":
            if attributes["stroke-dasharray"] != nil { dashedLines += 1 }
            if groupDepth > 0, attributes["stroke-width"] == nil { errorBarLines += 1 }
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "g" { groupDepth -= 1 }
    }
}
