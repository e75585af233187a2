import Foundation

/// The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b).
///
/// It is the one special function behind the Student t distribution. Evaluated with the continued
/// fraction of Numerical Recipes §6.4 (modified Lentz), on the side of the symmetry
/// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges fast. Both x and 1 − x are taken as
/// arguments so that callers can pass a complement computed without cancellation (for the t
/// distribution, 1 − x = t² / (ν + t²) is exact where x = ν / (ν + t²) rounds to 1).
enum IncompleteBeta {
    /// I_x(a, b) for a, b > 0 and x ∈ [0, 1], with `complement` = 1 − x.
    static func regularized(a: Double, b: Double, x: Double, complement y: Double) -> Double {
        if x <= 0 { return 0 }
        if y <= 0 { return 1 }
        if x < (a + 1) / (a + b + 2) {
            return front(a: a, b: b, x: x, y: y) * continuedFraction(a: a, b: b, x: x) / a
        }
        return 1 - front(a: b, b: a, x: y, y: x) * continuedFraction(a: b, b: a, x: y) / b
    }

    /// x^a (1 − x)^b / B(a, b), in logarithms so that large a and b do not overflow.
    private static func front(a: Double, b: Double, x: Double, y: Double) -> Double {
        exp(a * log(x) + b * log(y) - logBeta(a, b))
    }

    static func logBeta(_ a: Double, _ b: Double) -> Double {
        lgamma(a) + lgamma(b) - lgamma(a + b)
    }

    /// The continued fraction 1 / (1 + d₁ / (1 + d₂ / (1 + …))) with the coefficients d_m of
    /// NR eq. 6.4.6, by the modified Lentz method.
    private static func continuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300
        let epsilon = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...100_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }
}
