import Foundation
import StatisticsFixtures
import Testing

@testable import Statistics

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
        let expected = try tost(
            FixedExperiment.cases.map { values.dice[$0]! }, FixedExperiment.fullData,
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
            #expect(
                round.differenceInterval.isInside(low: analysis.bounds.low, high: analysis.bounds.high)
                    == round.isEquivalent)
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
        #expect(
            random.curve[1].meanDice.values
                == analysis.strategies.filter { $0.strategy == "random" }.map(\.rounds[1].dice.mean))
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
        let error = try #require(throws: StatisticsError.self) { try FixedExperiment.analysis(strategies) }
        #expect(error.code == .mismatchedInputs)
        #expect(error.description.contains("dropout-train-test round 1") && error.description.contains("c4"))
    }

    @Test func storedAnalysisDecodesToTheSameValue() throws {
        let analysis = try FixedExperiment.analysis()
        let decoded = try JSONDecoder().decode(LearningCurveAnalysis.self, from: JSONEncoder().encode(analysis))
        #expect(decoded == analysis)
    }
}
