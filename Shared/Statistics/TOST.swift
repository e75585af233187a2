/// One one-sided t-test: statistic, p-value and degrees of freedom.
public struct OneSidedTTest: Codable, Sendable, Equatable {
    public var statistic: Double
    public var pValue: Double
    public var degreesOfFreedom: Double
}

/// The result of two one-sided t-tests (Schuirmann 1987) for the equivalence of two means.
///
/// H₀: μ₁ − μ₂ ≤ low or μ₁ − μ₂ ≥ high; H₁: low < μ₁ − μ₂ < high. The lower test rejects
/// μ₁ − μ₂ ≤ low (alternative "larger"), the upper test rejects μ₁ − μ₂ ≥ high (alternative
/// "smaller"); equivalence at level α needs both, so the TOST p-value is the larger of the two.
/// Values and field order follow statsmodels' `ttost_paired` / `ttost_ind`.
public struct TOSTResult: Codable, Sendable, Equatable {
    public var meanDifference: Double
    /// The standard error of `meanDifference` under the test's design; with the degrees of freedom
    /// it gives the interval that explains the verdict.
    public var standardError: Double
    public var lower: OneSidedTTest
    public var upper: OneSidedTTest
    public var pValue: Double { max(lower.pValue, upper.pValue) }

    /// Whether both one-sided tests reject at level α.
    public func isEquivalent(alpha: Double = 0.05) -> Bool { pValue < alpha }

    /// The (1 − 2α) t-interval of the mean difference (90% at α = 0.05): the TOST at α rejects
    /// exactly when it lies inside the bounds (Schuirmann 1987), so it shows how far a round is from
    /// equivalence, which a p-value alone does not.
    public func differenceInterval(alpha: Double = 0.05) throws -> ConfidenceInterval {
        guard alpha > 0, alpha < 0.5 else {
            throw StatisticsError(.invalidParameter, subject: "alpha", detail: "must be in (0, 0.5), got \(alpha)")
        }
        return try ConfidenceInterval(
            estimate: meanDifference, standardError: standardError,
            degreesOfFreedom: lower.degreesOfFreedom, level: 1 - 2 * alpha)
    }
}

/// How the two samples of a TOST relate.
public enum TOSTDesign: String, Codable, Sendable, CaseIterable {
    /// The same cases measured twice (each round's model and the full-data model on the same test
    /// cases): a one-sample t-test on the per-case differences, df = n − 1.
    case paired
    /// Independent samples, pooled variance (Student), df = n₁ + n₂ − 2.
    case pooled
    /// Independent samples, separate variances (Welch), Satterthwaite df.
    case welch
}

/// Two one-sided t-tests of `first` against `second` with equivalence bounds (low, high) on the
/// difference of means first − second.
public func tost(
    _ first: [Double], _ second: [Double], low: Double, high: Double,
    design: TOSTDesign
) throws -> TOSTResult {
    guard low < high else {
        throw StatisticsError(
            .invalidParameter, subject: "TOST bounds",
            detail: "the lower bound \(low) must be below the upper bound \(high)")
    }
    guard (first + second).allSatisfy(\.isFinite) else {
        throw StatisticsError(.nonFiniteValue, subject: "TOST", detail: "samples must be finite")
    }
    let (difference, standardError, df) = try meanDifference(first, second, design: design)
    // With identical differences (SE = 0) the statistics are ±∞ and the p-values 0 or 1, as in
    // statsmodels; only a difference lying exactly on a bound leaves them undefined.
    guard standardError > 0 || (difference != low && difference != high) else {
        throw StatisticsError(
            .tooFewValues, subject: "TOST",
            detail: "zero standard error with the difference \(difference) on a bound")
    }
    let distribution = try StudentTDistribution(degreesOfFreedom: df)
    let tLower = (difference - low) / standardError
    let tUpper = (difference - high) / standardError
    return TOSTResult(
        meanDifference: difference, standardError: standardError,
        lower: OneSidedTTest(statistic: tLower, pValue: distribution.survival(tLower), degreesOfFreedom: df),
        upper: OneSidedTTest(statistic: tUpper, pValue: distribution.cdf(tUpper), degreesOfFreedom: df))
}

/// The difference of means, its standard error and degrees of freedom under `design`.
private func meanDifference(
    _ first: [Double], _ second: [Double],
    design: TOSTDesign
) throws -> (Double, Double, Double) {
    let n1 = Double(first.count), n2 = Double(second.count)
    switch design {
    case .paired:
        guard first.count == second.count else {
            throw StatisticsError(
                .mismatchedInputs, subject: "paired TOST",
                detail: "\(first.count) and \(second.count) values cannot be paired")
        }
        guard first.count >= 2 else {
            throw StatisticsError(.tooFewValues, subject: "paired TOST", detail: "needs at least two pairs")
        }
        let differences = zip(first, second).map { $0 - $1 }
        let mean = SampleSummary.mean(differences)
        let variance = SampleSummary.variance(differences, mean: mean)
        return (mean, (variance / n1).squareRoot(), n1 - 1)
    case .pooled, .welch:
        guard first.count >= 2, second.count >= 2 else {
            throw StatisticsError(
                .tooFewValues, subject: "two-sample TOST",
                detail: "needs at least two values per sample, got \(first.count) and \(second.count)")
        }
        let mean1 = SampleSummary.mean(first), mean2 = SampleSummary.mean(second)
        let v1 = SampleSummary.variance(first, mean: mean1), v2 = SampleSummary.variance(second, mean: mean2)
        if design == .pooled {
            let df = n1 + n2 - 2
            let pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
            return (mean1 - mean2, (pooled * (1 / n1 + 1 / n2)).squareRoot(), df)
        }
        let a = v1 / n1, b = v2 / n2
        let df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1))
        return (mean1 - mean2, (a + b).squareRoot(), df)
    }
}
