/// The symmetric equivalence margin for comparing a model's per-case Dice with the full-data
/// model's, derived from the full-data model's own per-case Dice.
///
/// The method asks for "the bounds at which the full-data model's Dice is equivalent to itself at
/// p = 0.05, doubled". Testing the sample against itself as paired data is degenerate (every
/// difference is zero, so the t statistic is undefined), so the sample is compared with itself as
/// two independent samples of n cases with the pooled Student TOST — the question "how far apart
/// may two equally good models' mean Dice be before n cases with this spread can no longer call
/// them equal?". Both samples have mean difference 0 and pooled SD s (the sample SD), so with
/// SE = s·√(2/n) and df = 2n − 2 each one-sided statistic is Δ / SE, and p = 0.05 exactly when
///
///     Δ = t_{0.95, 2n−2} · s · √(2/n).
///
/// Any bound narrower than Δ cannot be met even by the full-data model itself. The bounds used for
/// every round are (−2Δ, +2Δ): the doubling, as in the method, leaves room for the real (non-zero)
/// difference of a smaller model. Δ scales with the spread of the reference Dice and shrinks with
/// more test cases, as a margin derived from the data should.
public struct EquivalenceBounds: Codable, Sendable, Equatable {
    /// Δ, the half-width at which the reference sample is equivalent to itself at p = `alpha`.
    public var selfEquivalenceMargin: Double
    /// The test bounds −2Δ and +2Δ on (round Dice − full-data Dice).
    public var low: Double
    public var high: Double
    public var alpha: Double

    public init(selfEquivalenceMargin: Double, alpha: Double) {
        self.selfEquivalenceMargin = selfEquivalenceMargin
        self.low = -2 * selfEquivalenceMargin
        self.high = 2 * selfEquivalenceMargin
        self.alpha = alpha
    }

    /// The bounds for the full-data model's per-case Dice `reference`.
    public init(reference: [Double], alpha: Double = 0.05) throws {
        guard alpha > 0, alpha < 0.5 else {
            throw StatisticsError(.invalidParameter, subject: "alpha", detail: "must be in (0, 0.5), got \(alpha)")
        }
        let summary = try SampleSummary(reference, subject: "full-data Dice")
        guard summary.count >= 2, reference.contains(where: { $0 != reference[0] }) else {
            throw StatisticsError(
                .tooFewValues, subject: "full-data Dice",
                detail: "equivalence bounds need at least two cases with some spread")
        }
        let n = Double(summary.count)
        let t = try StudentTDistribution(degreesOfFreedom: 2 * n - 2).quantile(1 - alpha)
        self.init(selfEquivalenceMargin: t * summary.standardDeviation * (2 / n).squareRoot(), alpha: alpha)
    }

    /// The fewest test cases whose bounds ±2Δ are at most ±`margin` for a full-data model whose
    /// per-case Dice has the standard deviation `standardDeviation`: the test-split size rule.
    ///
    /// A comparison can only show equivalence inside the margin its test split affords, so a
    /// cohort's test split is sized with this before any model is trained (the demo's cpu cohort:
    /// an SD of 0.30–0.34, where tumor-free cases score 0 or 1, and ±0.15 wanted take 85–111 cases).
    public static func testCases(
        forMargin margin: Double, standardDeviation: Double, alpha: Double = 0.05
    ) throws
        -> Int
    {
        guard margin > 0, margin.isFinite, standardDeviation > 0, standardDeviation.isFinite else {
            throw StatisticsError(
                .invalidParameter, subject: "test split size",
                detail: "needs a positive margin and standard deviation, got \(margin) and \(standardDeviation)")
        }
        guard alpha > 0, alpha < 0.5 else {
            throw StatisticsError(.invalidParameter, subject: "alpha", detail: "must be in (0, 0.5), got \(alpha)")
        }
        func bound(_ n: Int) throws -> Double {
            let cases = Double(n)
            let t = try StudentTDistribution(degreesOfFreedom: 2 * cases - 2).quantile(1 - alpha)
            return 2 * t * standardDeviation * (2 / cases).squareRoot()
        }
        // The bound falls monotonically in n; double until it fits, then bisect.
        var (fits, tooFew) = (2, 1)
        while try bound(fits) > margin {
            tooFew = fits
            fits *= 2
            guard fits <= 1 << 40 else {
                throw StatisticsError(
                    .invalidParameter, subject: "test split size", detail: "margin \(margin) is out of reach")
            }
        }
        while fits - tooFew > 1 {
            let middle = (fits + tooFew) / 2
            if try bound(middle) > margin { tooFew = middle } else { fits = middle }
        }
        return fits
    }
}
