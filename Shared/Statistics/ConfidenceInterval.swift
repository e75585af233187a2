/// A two-sided Student-t confidence interval of an estimate: estimate ± t_{(1+level)/2, ν} · SE.
///
/// One definition serves both uses in a report: the (1 − 2α) interval of a round's mean Dice
/// difference to the full-data model, which lies inside the equivalence bounds exactly when the
/// TOST at α rejects (so a reader sees why a round is or is not equivalent), and the 95% interval
/// of a strategy's mean outcome over repetitions (how much the comparison would move if run again).
public struct ConfidenceInterval: Codable, Sendable, Equatable {
    /// The point estimate the interval is centred on.
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    /// The coverage, e.g. 0.90 or 0.95.
    public var level: Double

    public init(estimate: Double, lower: Double, upper: Double, level: Double) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// estimate ± t_{(1+level)/2, ν} · standardError. A zero standard error gives the point
    /// interval [estimate, estimate], as scipy's `t.interval` does.
    public init(estimate: Double, standardError: Double, degreesOfFreedom: Double, level: Double) throws {
        guard level > 0, level < 1 else {
            throw StatisticsError(
                .invalidParameter, subject: "confidence level", detail: "must be in (0, 1), got \(level)")
        }
        guard estimate.isFinite, standardError.isFinite, standardError >= 0 else {
            throw StatisticsError(
                .nonFiniteValue, subject: "confidence interval",
                detail: "needs a finite estimate and standard error, got \(estimate) and \(standardError)")
        }
        let halfWidth =
            try standardError == 0
            ? 0 : StudentTDistribution(degreesOfFreedom: degreesOfFreedom).quantile((1 + level) / 2) * standardError
        self.init(estimate: estimate, lower: estimate - halfWidth, upper: estimate + halfWidth, level: level)
    }

    /// The t-interval of the mean of `values`: mean ± t_{(1+level)/2, n−1} · SD/√n. Needs at least
    /// two values: one says nothing about how far the mean could be off.
    public init(meanOf values: [Double], level: Double = 0.95, subject: String = "sample") throws {
        let summary = try SampleSummary(values, subject: subject)
        guard summary.count >= 2 else {
            throw StatisticsError(
                .tooFewValues, subject: subject, detail: "an interval of the mean needs at least two values")
        }
        try self.init(
            estimate: summary.mean, standardError: summary.standardError,
            degreesOfFreedom: Double(summary.count - 1), level: level)
    }

    /// Whether the whole interval lies strictly inside (low, high).
    public func isInside(low: Double, high: Double) -> Bool { low < lower && upper < high }
}
