import Foundation
import StatisticsFixtures
import Testing

@testable import Statistics

@Suite struct StudentTTests {
    @Test("CDF and survival match scipy.stats.t to 1e-10, tails included", arguments: StudentTVectors.all.cdf)
    func cdfMatchesScipy(_ v: StudentTVectors.CDF) throws {
        let t = try StudentTDistribution(degreesOfFreedom: v.df)
        #expect(close(t.cdf(v.t), v.cdf, relative: 1e-10), "cdf(\(v.t); df \(v.df)) = \(t.cdf(v.t)), scipy \(v.cdf)")
        #expect(
            close(t.survival(v.t), v.sf, relative: 1e-10), "sf(\(v.t); df \(v.df)) = \(t.survival(v.t)), scipy \(v.sf)")
    }

    @Test("quantile matches scipy.stats.t.ppf to 1e-10", arguments: StudentTVectors.all.quantile)
    func quantileMatchesScipy(_ v: StudentTVectors.Quantile) throws {
        let q = try StudentTDistribution(degreesOfFreedom: v.df).quantile(v.p)
        #expect(close(q, v.t, relative: 1e-10, absolute: 1e-14), "ppf(\(v.p); df \(v.df)) = \(q), scipy \(v.t)")
    }

    @Test func quantileInvertsTheCDFOverEveryIntegerDegreesOfFreedom() throws {
        for df in 1...1000 {
            let t = try StudentTDistribution(degreesOfFreedom: Double(df))
            for p in [0.001, 0.05, 0.3, 0.95, 0.999] {
                #expect(close(t.cdf(try t.quantile(p)), p, relative: 1e-12), "df \(df), p \(p)")
            }
        }
    }

    @Test func oneDegreeOfFreedomIsTheCauchyDistribution() throws {
        let t = try StudentTDistribution(degreesOfFreedom: 1)
        for x in [-7.0, -1, 0, 0.4, 3, 250] {
            #expect(close(t.cdf(x), 0.5 + atan(x) / .pi, relative: 1e-14))
        }
        #expect(close(try t.quantile(0.975), tan(.pi * 0.475), relative: 1e-13))
    }

    @Test func rejectsInvalidParameters() throws {
        #expect(throws: StatisticsError.self) { try StudentTDistribution(degreesOfFreedom: 0) }
        #expect(throws: StatisticsError.self) { try StudentTDistribution(degreesOfFreedom: .infinity) }
        let t = try StudentTDistribution(degreesOfFreedom: 5)
        #expect(throws: StatisticsError.self) { try t.quantile(0) }
        #expect(throws: StatisticsError.self) { try t.quantile(1) }
    }
}
