import StatisticsFixtures
import Testing

@testable import Statistics

@Suite struct TOSTTests {
    @Test("TOST matches statsmodels ttost_paired / ttost_ind", arguments: TOSTVector.all)
    func tostMatchesStatsmodels(_ v: TOSTVector) throws {
        let design = try #require(TOSTDesign(rawValue: v.design))
        let result = try tost(v.first, v.second, low: v.low, high: v.high, design: design)
        #expect(close(result.pValue, v.p, relative: 1e-9))
        #expect(close(result.lower.statistic, v.lower[0], relative: 1e-10))
        #expect(close(result.lower.pValue, v.lower[1], relative: 1e-9))
        #expect(close(result.lower.degreesOfFreedom, v.lower[2], relative: 1e-12))
        #expect(close(result.upper.statistic, v.upper[0], relative: 1e-10))
        #expect(close(result.upper.pValue, v.upper[1], relative: 1e-9))
        #expect(close(result.upper.degreesOfFreedom, v.upper[2], relative: 1e-12))
    }

    @Test("The 90% interval of the difference matches statsmodels' tconfint", arguments: TOSTVector.all)
    func differenceIntervalMatchesStatsmodels(_ v: TOSTVector) throws {
        let design = try #require(TOSTDesign(rawValue: v.design))
        let interval = try tost(v.first, v.second, low: v.low, high: v.high, design: design).differenceInterval(
            alpha: 0.05)
        #expect(close(interval.lower, v.interval90[0], relative: 1e-10))
        #expect(close(interval.upper, v.interval90[1], relative: 1e-10))
        #expect(interval.level == 0.9)
    }

    @Test("The (1 − 2α) interval lies inside the bounds exactly when TOST rejects at α", arguments: TOSTVector.all)
    func intervalInsideBoundsIsTheVerdict(_ v: TOSTVector) throws {
        let design = try #require(TOSTDesign(rawValue: v.design))
        for alpha in [0.01, 0.05, 0.1, 0.25] {
            // Bounds just outside and just inside each end of the interval move the verdict with it.
            let reference = try tost(v.first, v.second, low: v.low, high: v.high, design: design)
            let interval = try reference.differenceInterval(alpha: alpha)
            for (low, high) in [
                (v.low, v.high), (interval.lower - 1e-9, interval.upper + 1e-9),
                (interval.lower + 1e-9, interval.upper + 1e-9), (interval.lower - 1e-9, interval.upper - 1e-9),
            ] {
                let result = try tost(v.first, v.second, low: low, high: high, design: design)
                #expect(
                    try result.differenceInterval(alpha: alpha).isInside(low: low, high: high)
                        == result.isEquivalent(alpha: alpha), "alpha \(alpha), bounds (\(low), \(high))")
            }
        }
    }

    @Test func identicalDifferencesHaveAPointInterval() throws {
        let interval = try tost([0.8, 0.7, 0.9], [0.7, 0.6, 0.8], low: -0.2, high: 0.2, design: .paired)
            .differenceInterval()
        #expect(close(interval.lower, 0.1, relative: 1e-12) && close(interval.upper, 0.1, relative: 1e-12))
    }

    @Test func differenceIntervalNeedsAnAlphaBelowOneHalf() throws {
        let result = try tost([0.8, 0.7, 0.9], [0.75, 0.72, 0.81], low: -0.2, high: 0.2, design: .paired)
        #expect(throws: StatisticsError.self) { try result.differenceInterval(alpha: 0.5) }
        #expect(throws: StatisticsError.self) { try result.differenceInterval(alpha: 0) }
    }

    @Test func equivalenceNeedsBothOneSidedTestsToReject() throws {
        let first = [0.80, 0.82, 0.79, 0.85, 0.81, 0.83, 0.78, 0.84]
        let offsets = [0.001, 0.002, 0.0, 0.001, 0.0015, 0.0005, 0.001, 0.002]
        let second = zip(first, offsets).map { $0 + $1 }
        // The mean difference is −0.001: below a lower bound of −0.0005, well inside ±0.01.
        let narrow = try tost(first, second, low: -0.0005, high: 0.01, design: .paired)
        #expect(narrow.lower.pValue > 0.9 && narrow.upper.pValue < 1e-6)
        #expect(!narrow.isEquivalent())
        let wide = try tost(first, second, low: -0.01, high: 0.01, design: .paired)
        #expect(wide.pValue < 1e-6 && wide.isEquivalent())
    }

    @Test func rejectsUnpairableAndTooSmallSamples() {
        #expect(throws: StatisticsError.self) { try tost([1, 2, 3], [1, 2], low: -1, high: 1, design: .paired) }
        #expect(throws: StatisticsError.self) { try tost([1], [1, 2], low: -1, high: 1, design: .pooled) }
        #expect(throws: StatisticsError.self) { try tost([1, 2], [1, 2], low: 1, high: -1, design: .welch) }
        #expect(throws: StatisticsError.self) { try tost([1, 2], [1, 2], low: 0, high: 1, design: .paired) }
    }
}

@Suite struct ConfidenceIntervalTests {
    @Test("The t-interval of a mean matches scipy's t.interval", arguments: MeanIntervalVector.all)
    func meanIntervalMatchesScipy(_ v: MeanIntervalVector) throws {
        let interval = try ConfidenceInterval(meanOf: v.values, level: v.level)
        #expect(close(interval.estimate, v.mean, relative: 1e-13))
        #expect(close(interval.lower, v.lower, relative: 1e-10))
        #expect(close(interval.upper, v.upper, relative: 1e-10))
        #expect(interval.level == v.level)
    }

    @Test func aMeanIntervalNeedsTwoFiniteValuesAndALevelInsideZeroToOne() {
        #expect(throws: StatisticsError.self) { try ConfidenceInterval(meanOf: [0.4]) }
        #expect(throws: StatisticsError.self) { try ConfidenceInterval(meanOf: [0.4, .nan]) }
        #expect(throws: StatisticsError.self) { try ConfidenceInterval(meanOf: [0.4, 0.5], level: 1) }
        #expect(throws: StatisticsError.self) {
            try ConfidenceInterval(estimate: 0, standardError: -1, degreesOfFreedom: 3, level: 0.9)
        }
    }

    @Test func aRepeatedOutcomeHasAnIntervalFromTwoRepetitionsOn() throws {
        #expect(try RepeatedOutcome([], subject: "share") == nil)
        let single = try #require(try RepeatedOutcome([0.4], subject: "share"))
        #expect(single.mean == 0.4 && single.interval == nil)
        let values = MeanIntervalVector.all.first { $0.level == 0.95 }!
        let repeated = try #require(try RepeatedOutcome(values.values, subject: "share"))
        #expect(close(repeated.mean, values.mean, relative: 1e-13))
        #expect(close(try #require(repeated.interval).lower, values.lower, relative: 1e-10))
        #expect(close(try #require(repeated.interval).upper, values.upper, relative: 1e-10))
    }
}

@Suite struct EquivalenceBoundsTests {
    @Test func selfEquivalenceMarginGivesPExactlyAlphaAgainstItself() throws {
        let reference = [0.81, 0.77, 0.92, 0.68, 0.85, 0.88, 0.74, 0.90, 0.79, 0.83]
        let bounds = try EquivalenceBounds(reference: reference)
        let delta = bounds.selfEquivalenceMargin
        let atMargin = try tost(reference, reference, low: -delta, high: delta, design: .pooled)
        #expect(close(atMargin.pValue, 0.05, relative: 1e-10))
        #expect(bounds.low == -2 * delta && bounds.high == 2 * delta)
    }

    @Test func marginIsTheClosedForm() throws {
        // Δ = t(0.95, 2n − 2) · s · √(2/n); n = 4, s = SD of the values, t(0.95, 6) from scipy.
        let reference = [0.7, 0.8, 0.9, 0.6]
        let s = 0.12909944487358058
        let t95df6 = 1.9431802805153042
        let bounds = try EquivalenceBounds(reference: reference)
        #expect(close(bounds.selfEquivalenceMargin, t95df6 * s * (2.0 / 4).squareRoot(), relative: 1e-12))
    }

    @Test("the test-split size rule gives scipy's fewest cases for a margin", arguments: TestSplitSizeVector.all)
    func testSplitSize(_ vector: TestSplitSizeVector) throws {
        let n = try EquivalenceBounds.testCases(
            forMargin: vector.margin, standardDeviation: vector.sd, alpha: vector.alpha)
        #expect(n == vector.n)
    }

    @Test func testSplitSizeNeedsAPositiveMarginAndSpread() {
        #expect(throws: StatisticsError.self) { try EquivalenceBounds.testCases(forMargin: 0, standardDeviation: 0.3) }
        #expect(throws: StatisticsError.self) { try EquivalenceBounds.testCases(forMargin: 0.15, standardDeviation: 0) }
        #expect(throws: StatisticsError.self) {
            try EquivalenceBounds.testCases(forMargin: .nan, standardDeviation: 0.3)
        }
    }

    @Test func needsSpreadInTheReference() {
        #expect(throws: StatisticsError.self) { try EquivalenceBounds(reference: [0.8, 0.8, 0.8]) }
        #expect(throws: StatisticsError.self) { try EquivalenceBounds(reference: [0.8]) }
    }
}
