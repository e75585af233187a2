import Foundation

/// Location and spread of a sample of per-case values (Dice, HD95, …).
///
/// The standard deviation uses the n − 1 denominator (the unbiased variance, numpy's `ddof=1`), and
/// the standard error is SD / √n — the error bars of the learning-curve plot. With one value, SD and
/// SE are NaN rather than 0: a single case says nothing about spread.
public struct SampleSummary: Codable, Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var standardDeviation: Double
    public var standardError: Double

    public init(count: Int, mean: Double, median: Double, standardDeviation: Double, standardError: Double) {
        self.count = count
        self.mean = mean
        self.median = median
        self.standardDeviation = standardDeviation
        self.standardError = standardError
    }

    /// Summarises `values`; rejects an empty sample and non-finite values (an infinite HD95 must be
    /// handled by the caller, which knows what it means).
    public init(_ values: [Double], subject: String = "sample") throws {
        guard !values.isEmpty else {
            throw StatisticsError(.tooFewValues, subject: subject, detail: "cannot summarise an empty sample")
        }
        guard values.allSatisfy(\.isFinite) else {
            throw StatisticsError(.nonFiniteValue, subject: subject, detail: "values must be finite")
        }
        let n = values.count
        let mean = Self.mean(values)
        let sorted = values.sorted()
        let median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let sd = n > 1 ? Self.variance(values, mean: mean).squareRoot() : .nan
        self.init(
            count: n, mean: mean, median: median, standardDeviation: sd,
            standardError: sd / Double(n).squareRoot())
    }

    static func mean(_ values: [Double]) -> Double {
        values.reduce(0, +) / Double(values.count)
    }

    /// The unbiased sample variance Σ(x − x̄)² / (n − 1), two-pass for accuracy.
    static func variance(_ values: [Double], mean: Double) -> Double {
        values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
    }
}
