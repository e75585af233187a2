import StatisticsFixtures
import Testing

@testable import Statistics

@Suite struct SampleSummaryTests {
    @Test("mean, median, SD (n − 1) and SE match numpy/scipy", arguments: SummaryVector.all)
    func summaryMatchesNumpy(_ v: SummaryVector) throws {
        let s = try SampleSummary(v.values)
        #expect(s.count == v.values.count)
        #expect(close(s.mean, v.mean, relative: 1e-14))
        #expect(close(s.median, v.median, relative: 1e-15))
        #expect(close(s.standardDeviation, v.sd, relative: 1e-12))
        #expect(close(s.standardError, v.se, relative: 1e-12))
    }

    @Test func singleValueHasNoSpread() throws {
        let s = try SampleSummary([0.7])
        #expect(s.mean == 0.7 && s.median == 0.7)
        #expect(s.standardDeviation.isNaN && s.standardError.isNaN)
    }

    @Test func rejectsEmptyAndNonFiniteSamples() {
        #expect(throws: StatisticsError.self) { try SampleSummary([]) }
        #expect(throws: StatisticsError.self) { try SampleSummary([0.5, .infinity]) }
    }
}
