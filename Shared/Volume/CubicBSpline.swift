import Foundation

/// Cubic B-spline interpolation as scipy.ndimage (`map_coordinates(order=3, mode='mirror')`) and
/// ITK's BSplineInterpolateImageFunction do it: samples are first turned into spline coefficients by
/// Unser's recursive prefilter (Unser, Aldroubi & Eden 1993; IEEE Signal Processing Magazine 1999),
/// so that the spline passes through the samples instead of smoothing them, then the coefficients
/// are weighted with the cubic B-spline kernel. Boundaries are whole-sample mirrors (…, 2, 1, 0, 1,
/// 2, …), matching scipy's `mode='mirror'`.
enum CubicBSpline {
    /// The cubic B-spline's prefilter pole, √3 − 2.
    static let pole = 3.0.squareRoot() - 2
    /// The prefilter gain (1 − z)(1 − 1/z) = 6.
    static let gain = (1 - pole) * (1 - 1 / pole)

    /// The four kernel weights for a sample at fractional offset `t` ∈ [0, 1) past the second tap.
    @inline(__always)
    static func weights(_ t: Double) -> (Double, Double, Double, Double) {
        let s = 1 - t
        return (s * s * s / 6, 2.0 / 3 - t * t + t * t * t / 2, 2.0 / 3 - s * s + s * s * s / 2, t * t * t / 6)
    }

    /// The derivatives of `weights(t)` with respect to `t`: how each tap's weight changes as the
    /// sample moves, for metrics whose gradient goes through a B-spline Parzen window.
    @inline(__always)
    static func derivativeWeights(_ t: Double) -> (Double, Double, Double, Double) {
        let s = 1 - t
        return (-s * s / 2, -2 * t + 1.5 * t * t, 2 * s - 1.5 * s * s, t * t / 2)
    }

    /// A coefficient index folded back into 0..<count by whole-sample mirroring.
    @inline(__always)
    static func mirror(_ index: Int, _ count: Int) -> Int {
        if count == 1 { return 0 }
        let period = 2 * count - 2
        var folded = index % period
        if folded < 0 { folded += period }
        return folded < count ? folded : period - folded
    }

    /// Replaces samples by spline coefficients along one axis of a buffer laid out as
    /// [outer][count][inner] (inner fastest). Lines are filtered `inner` at a time so that the
    /// recursions over y and z run as vector operations over whole rows.
    static func prefilter(_ data: UnsafeMutablePointer<Float>, along layout: AxisLayout) {
        let count = layout.count
        guard count > 1 else { return }
        let z = pole
        let zLast = pow(z, Double(count - 1))
        // Terms of the mirrored causal initialisation below 1e-10 are dropped (horizon ≈ 18 samples).
        var powers: [Float] = []
        var power = z
        for _ in 1..<(count - 1) where abs(power) > 1e-10 || abs(zLast) > 1e-10 {
            powers.append(Float(power))
            power *= z
        }
        let inner = layout.inner
        let width = min(inner, 4096)
        let chunks = (inner + width - 1) / width
        let zf = Float(z)
        let zLastF = Float(zLast)
        let gainF = Float(gain)
        let initScale = Float(1 / (1 - zLast * zLast))
        let anticausal = Float(z / (z * z - 1))
        let rowStride = inner
        parallelRanges(layout.outer * chunks) { items in
            var accumulator = [Float](repeating: 0, count: width)
            for item in items {
                let outer = item / chunks
                let start = (item % chunks) * width
                let lanes = min(width, inner - start)
                let base = data + outer * count * inner + start
                for i in 0..<count {
                    let row = base + i * rowStride
                    for q in 0..<lanes { row[q] *= gainF }
                }
                let last = base + (count - 1) * rowStride
                for q in 0..<lanes { accumulator[q] = base[q] + zLastF * last[q] }
                for (offset, zi) in powers.enumerated() {
                    let i = offset + 1
                    let row = base + i * rowStride
                    let mirrored = base + (count - 1 - i) * rowStride
                    for q in 0..<lanes { accumulator[q] += zi * (row[q] + zLastF * mirrored[q]) }
                }
                for q in 0..<lanes { base[q] = accumulator[q] * initScale }
                for i in 1..<count {
                    let row = base + i * rowStride
                    let previous = row - rowStride
                    for q in 0..<lanes { row[q] += zf * previous[q] }
                }
                let beforeLast = last - rowStride
                for q in 0..<lanes { last[q] = anticausal * (zf * beforeLast[q] + last[q]) }
                for i in stride(from: count - 2, through: 0, by: -1) {
                    let row = base + i * rowStride
                    let next = row + rowStride
                    for q in 0..<lanes { row[q] = zf * (next[q] - row[q]) }
                }
            }
        }
    }
}
