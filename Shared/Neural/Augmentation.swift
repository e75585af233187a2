import Foundation
import SeededRandom

/// Seeded on-the-fly augmentation of training patches: random flips on each axis, and with
/// `affineProbability` a small rotation about each axis and an isotropic scaling about the patch
/// centre. Images are resampled trilinearly, labels by nearest neighbour (so they stay binary);
/// samples from outside the patch are zero.
public struct Augmentation: Sendable, Codable, Equatable {
    public var flipProbability: Double
    public var affineProbability: Double
    /// Largest rotation about each axis, in degrees.
    public var maximumRotationDegrees: Double
    /// Scale factors are drawn from `1 ± maximumScaleChange`.
    public var maximumScaleChange: Double

    public init(
        flipProbability: Double = 0.5, affineProbability: Double = 0.2,
        maximumRotationDegrees: Double = 15, maximumScaleChange: Double = 0.1
    ) {
        self.flipProbability = flipProbability
        self.affineProbability = affineProbability
        self.maximumRotationDegrees = maximumRotationDegrees
        self.maximumScaleChange = maximumScaleChange
    }

    /// No change at all.
    public static let none = Augmentation(
        flipProbability: 0, affineProbability: 0, maximumRotationDegrees: 0, maximumScaleChange: 0)

    public func apply(to patch: PatchSampler.Patch, generator: inout SeededGenerator) -> PatchSampler.Patch {
        var result = patch
        for axis in 0..<3 where generator.nextUnitDouble() < flipProbability {
            result.image = Self.flipped(result.image, axis: axis)
            result.label = Self.flipped(result.label, axis: axis)
        }
        if generator.nextUnitDouble() < affineProbability {
            let radians = maximumRotationDegrees * .pi / 180
            let angles = (0..<3).map { _ in (generator.nextUnitDouble() * 2 - 1) * radians }
            let scale = 1 + (generator.nextUnitDouble() * 2 - 1) * maximumScaleChange
            let inverse = Self.inverseRotationScaling(angles: angles, scale: scale)
            result.image = Self.resample(result.image, inverse: inverse, nearest: false)
            result.label = Self.resample(result.label, inverse: inverse, nearest: true)
        }
        return result
    }

    /// Reverses an NCDHW tensor along spatial `axis` (0 = z, 1 = y, 2 = x).
    static func flipped(_ t: Tensor, axis: Int) -> Tensor {
        let (d, h, w) = (t.shape[2], t.shape[3], t.shape[4])
        var out = t
        let planes = t.batch * t.channels
        for p in 0..<planes {
            let base = p * d * h * w
            for z in 0..<d {
                for y in 0..<h {
                    for x in 0..<w {
                        let (sz, sy, sx) = (
                            axis == 0 ? d - 1 - z : z, axis == 1 ? h - 1 - y : y, axis == 2 ? w - 1 - x : x
                        )
                        out.scalars[base + (z * h + y) * w + x] = t.scalars[base + (sz * h + sy) * w + sx]
                    }
                }
            }
        }
        return out
    }

    /// The matrix mapping an output offset from the centre to a source offset: `(R·s)⁻¹ = Rᵀ / s`
    /// with `R = Rz·Ry·Rx`.
    static func inverseRotationScaling(angles: [Double], scale: Double) -> [[Double]] {
        func rotation(_ axis: Int, _ a: Double) -> [[Double]] {
            let (c, s) = (cos(a), sin(a))
            switch axis {
            case 0: return [[1, 0, 0], [0, c, -s], [0, s, c]]
            case 1: return [[c, 0, s], [0, 1, 0], [-s, 0, c]]
            default: return [[c, -s, 0], [s, c, 0], [0, 0, 1]]
            }
        }
        func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
            (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
        }
        let r = multiply(rotation(2, angles[2]), multiply(rotation(1, angles[1]), rotation(0, angles[0])))
        return (0..<3).map { i in (0..<3).map { j in r[j][i] / scale } }
    }

    static func resample(_ t: Tensor, inverse m: [[Double]], nearest: Bool) -> Tensor {
        let (d, h, w) = (t.shape[2], t.shape[3], t.shape[4])
        let c = [Double(d - 1) / 2, Double(h - 1) / 2, Double(w - 1) / 2]
        let voxels = d * h * w
        var out = Tensor(zeros: t.shape)
        let planes = t.batch * t.channels
        let (m00, m01, m02) = (m[0][0], m[0][1], m[0][2])
        let (m10, m11, m12) = (m[1][0], m[1][1], m[1][2])
        let (m20, m21, m22) = (m[2][0], m[2][1], m[2][2])
        for z in 0..<d {
            for y in 0..<h {
                for x in 0..<w {
                    let (oz, oy, ox) = (Double(z) - c[0], Double(y) - c[1], Double(x) - c[2])
                    let sz = m00 * oz + m01 * oy + m02 * ox + c[0]
                    let sy = m10 * oz + m11 * oy + m12 * ox + c[1]
                    let sx = m20 * oz + m21 * oy + m22 * ox + c[2]
                    let target = (z * h + y) * w + x
                    if nearest {
                        let (iz, iy, ix) = (Int(sz.rounded()), Int(sy.rounded()), Int(sx.rounded()))
                        guard iz >= 0, iz < d, iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                        for p in 0..<planes {
                            out.scalars[p * voxels + target] = t.scalars[p * voxels + (iz * h + iy) * w + ix]
                        }
                        continue
                    }
                    let (fz, fy, fx) = (sz.rounded(.down), sy.rounded(.down), sx.rounded(.down))
                    let (iz, iy, ix) = (Int(fz), Int(fy), Int(fx))
                    let (tz, ty, tx) = (Float(sz - fz), Float(sy - fy), Float(sx - fx))
                    for p in 0..<planes {
                        var value: Float = 0
                        for corner in 0..<8 {
                            let (cz, cy, cx) = (iz + (corner >> 2), iy + ((corner >> 1) & 1), ix + (corner & 1))
                            guard cz >= 0, cz < d, cy >= 0, cy < h, cx >= 0, cx < w else { continue }
                            let weight =
                                (corner >> 2 == 1 ? tz : 1 - tz) * ((corner >> 1) & 1 == 1 ? ty : 1 - ty)
                                * (corner & 1 == 1 ? tx : 1 - tx)
                            value += weight * t.scalars[p * voxels + (cz * h + cy) * w + cx]
                        }
                        out.scalars[p * voxels + target] = value
                    }
                }
            }
        }
        return out
    }
}
