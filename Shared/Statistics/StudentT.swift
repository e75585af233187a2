import Foundation

/// Student's t distribution with ν degrees of freedom (ν > 0, not necessarily an integer, so that
/// Welch–Satterthwaite degrees of freedom can be used as they are).
///
/// The TOST p-values and the equivalence bounds rest on it, so it is computed to near machine
/// precision rather than from an approximation: for t ≥ 0,
///
///     P(T > t) = ½ · I_{ν/(ν+t²)}(ν/2, ½)
///
/// with I the regularised incomplete beta function, and the lower tail by symmetry. Each tail is
/// evaluated directly, so p-values of 1e-30 keep their relative precision.
public struct StudentTDistribution: Sendable, Equatable {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) throws {
        guard degreesOfFreedom > 0, degreesOfFreedom.isFinite else {
            throw StatisticsError(
                .invalidParameter, subject: "degrees of freedom",
                detail: "must be positive and finite, got \(degreesOfFreedom)")
        }
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double {
        t < 0 ? upperTail(-t) : 1 - upperTail(t)
    }

    /// P(T > t), the survival function; accurate far into the upper tail.
    public func survival(_ t: Double) -> Double {
        t < 0 ? 1 - upperTail(-t) : upperTail(t)
    }

    /// The density f(t) = (1 + t²/ν)^(−(ν+1)/2) / (√ν · B(ν/2, ½)).
    public func density(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        return exp(-(nu + 1) / 2 * log1p(t * t / nu) - 0.5 * log(nu) - IncompleteBeta.logBeta(nu / 2, 0.5))
    }

    /// The quantile: the t with P(T ≤ t) = p, for p ∈ (0, 1).
    ///
    /// Found by safeguarded Newton iteration on the tail probability of the nearer tail: Newton
    /// converges quadratically near the root, and a bracket that every step keeps valid falls back to
    /// bisection where Newton would overshoot (heavy tails at small ν).
    public func quantile(_ p: Double) throws -> Double {
        guard p > 0, p < 1 else {
            throw StatisticsError(
                .invalidParameter, subject: "probability",
                detail: "a quantile needs p in (0, 1), got \(p)")
        }
        if p == 0.5 { return 0 }
        let tail = min(p, 1 - p)
        let t = upperQuantile(tail)
        return p < 0.5 ? -t : t
    }

    /// ½ · I_x(ν/2, ½) with x = ν/(ν+t²) and 1 − x = t²/(ν+t²), for t ≥ 0.
    private func upperTail(_ t: Double) -> Double {
        if t == .infinity { return 0 }
        let nu = degreesOfFreedom
        let t2 = t * t
        // For huge t, t² overflows; then x = ν/t² to full precision and 1 − x = 1.
        let (x, y) = t2.isFinite ? (nu / (nu + t2), t2 / (nu + t2)) : (nu / t / t, 1.0)
        return 0.5 * IncompleteBeta.regularized(a: nu / 2, b: 0.5, x: x, complement: y)
    }

    /// The t ≥ 0 with P(T > t) = q, for q ∈ (0, ½].
    private func upperQuantile(_ q: Double) -> Double {
        var low = 0.0
        var high = 1.0
        while upperTail(high) > q {
            low = high
            high *= 2
        }
        var t = (low + high) / 2
        for _ in 0..<400 {
            let excess = upperTail(t) - q
            if excess == 0 { return t }
            if excess > 0 { low = t } else { high = t }
            var next = t + excess / density(t)
            if !(next > low && next < high) { next = (low + high) / 2 }
            if abs(next - t) <= 1e-15 * t || high - low <= 4 * t.ulp { return next }
            t = next
        }
        return t
    }
}
