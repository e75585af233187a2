import Foundation
import Statistics
import StatisticsFixtures
import Testing

@testable import Reporting

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct LearningCurveReportTests {
    @Test func theSummarySaysOfHowManySeedsTheFullDataModelIsTheEnsemble() throws {
        let analysis = try FixedExperiment.analysis()
        let lines = { (members: Int) in
            LearningCurveReport.markdown(analysis, fullDataMembers: members).split(separator: "\n").map(String.init)
        }
        #expect(
            lines(3).first
                == "Full-data model: mean Dice 0.8350 (SD 0.0622, n = 6), the mean probability map of 3 models "
                + "that differ only in their seed.")
        #expect(lines(1).first == "Full-data model: mean Dice 0.8350 (SD 0.0622, n = 6).")
        #expect(lines(3).dropFirst() == lines(1).dropFirst())
    }

    @Test func markdownTableIsStable() throws {
        // The round lines' intervals and p-values are statsmodels' (tconfint_mean at alpha 0.1,
        // ttost_paired with bounds ±0.1301947735509817), rounded as printed.
        let markdown = LearningCurveReport.markdown(try FixedExperiment.analysis())
        #expect(
            markdown == """
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
        #expect(
            fields[0] == "random" && fields[1] == "1" && fields[2] == "1" && fields[3] == "80" && fields.last == "false"
        )
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
        #expect(
            LearningCurveReport.roundLine(equivalent, bounds: analysis.bounds)
                == "round 1: 80 cases (40.0%), mean Dice "
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
        let analysis = try FixedExperiment.analysis(strategies)
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
            #expect(
                band.hasSuffix(" Z")
                    && band.split(separator: " ").filter { $0.hasPrefix("M") || $0.hasPrefix("L") }.count == 6)
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

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
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
