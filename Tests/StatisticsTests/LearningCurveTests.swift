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

    static func analysis() throws -> LearningCurveAnalysis {
        try LearningCurveAnalysis(trainingPoolSize: 200,
                                  fullDataDice: Dictionary(uniqueKeysWithValues: zip(cases, fullData)),
                                  strategies: strategies)
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
        let markdown = LearningCurveReport.markdown(try FixedExperiment.analysis())
        #expect(markdown == """
            Full-data model: mean Dice 0.8350 (SD 0.0622, n = 6).
            Equivalence bounds: ±0.1302 (2 × Δ, Δ = 0.0651), paired TOST, α = 0.05.

            | Strategy | First equivalent round | Annotated cases | Share of training data | Relative to random | Mean Dice (SD) | TOST p | Normalised AUC |
            |---|---:|---:|---:|---:|---:|---:|---:|
            | random | 2 | 120 | 60.0% | 100.0% | 0.8333 (0.0568) | <0.0001 | 0.8288 |
            | dropout-train-test | 1 | 80 | 40.0% | 66.7% | 0.8317 (0.0621) | <0.0001 | 0.9192 |

            """)
    }

    @Test func markdownSaysWhenEquivalenceIsNotReached() throws {
        var strategies = FixedExperiment.strategies
        strategies[0].rounds.removeLast()
        let analysis = try LearningCurveAnalysis(
            trainingPoolSize: 200, fullDataDice: Dictionary(uniqueKeysWithValues: zip(FixedExperiment.cases,
                                                                                     FixedExperiment.fullData)),
            strategies: strategies)
        let markdown = LearningCurveReport.markdown(analysis)
        #expect(markdown.contains("| random | not reached | – | – | – | – | – | 0.7385 |"))
        #expect(markdown.contains("| dropout-train-test | 1 | 80 | 40.0% | – |"))
    }

    @Test func csvHoldsEveryRoundWithStatsmodelsValues() throws {
        let lines = LearningCurveReport.csv(try FixedExperiment.analysis()).split(separator: "\n")
        #expect(lines.count == 1 + 6)
        #expect(lines[0].hasPrefix("strategy,round,annotated_cases,training_share,n,mean_dice"))
        let fields = lines[2].split(separator: ",").map(String.init)
        #expect(fields[0] == "random" && fields[1] == "1" && fields[2] == "80" && fields.last == "false")
        // statsmodels ttost_paired of this round against the full-data Dice with bounds ±0.1301947735509817.
        #expect(close(try #require(Double(fields[11])), 0.5978016854409827, relative: 1e-12))
        #expect(close(try #require(Double(fields[12])), -21.926863889938915, relative: 1e-12))
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
    }
}

/// What the learning-curve SVG contains, read back with Foundation's XML parser.
final class SVGElements: NSObject, XMLParserDelegate {
    private(set) var root: String?
    private(set) var paths: [String] = []
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
