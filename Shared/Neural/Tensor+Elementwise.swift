#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element-wise arithmetic used by the layers, the loss and the optimizer.
extension Tensor {
    public static func += (lhs: inout Tensor, rhs: Tensor) {
        precondition(lhs.shape == rhs.shape, "shape mismatch \(lhs.shape) vs \(rhs.shape)")
        lhs.scalars.withUnsafeMutableBufferPointer { r in
            rhs.scalars.withUnsafeBufferPointer { b in
                for i in 0..<r.count { r[i] += b[i] }
            }
        }
    }

    /// Applies `transform` to every scalar.
    public func map(_ transform: (Float) -> Float) -> Tensor {
        var result = self
        result.scalars.withUnsafeMutableBufferPointer { r in
            for i in 0..<r.count { r[i] = transform(r[i]) }
        }
        return result
    }

    /// Sum in double precision, so that gradient checks and losses do not lose digits on large volumes.
    public func sum() -> Double {
        scalars.withUnsafeBufferPointer { Tensor.chunkedSum($0.baseAddress!, count: $0.count) }
    }

    /// Logistic sigmoid, written to stay finite for large |x|.
    public func sigmoid() -> Tensor {
        map(Tensor.sigmoid)
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 {
            return 1 / (1 + expf(-x))
        }
        let e = expf(x)
        return e / (1 + e)
    }

    /// Sum of `count` floats: 16-lane float partial sums over chunks of 4096 (short enough to keep
    /// float rounding at ~1e-7 relative) added in double, so millions of voxels lose no digits.
    static func chunkedSum(_ p: UnsafePointer<Float>, count: Int) -> Double {
        chunkedReduce(count: count) { i in
            UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
        } scalar: { i in
            p[i]
        }
    }

    /// `Σ (p − mean)²` in the same chunked fashion.
    static func chunkedSquaredDeviations(_ p: UnsafePointer<Float>, count: Int, mean: Float) -> Double {
        let m = SIMD16<Float>(repeating: mean)
        return chunkedReduce(count: count) { i in
            let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self) - m
            return d * d
        } scalar: { i in
            (p[i] - mean) * (p[i] - mean)
        }
    }

    /// `Σ a·(b − mean)` in the same chunked fashion.
    static func chunkedDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, mean: Float) -> Double {
        let m = SIMD16<Float>(repeating: mean)
        return chunkedReduce(count: count) { i in
            UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
                * (UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self) - m)
        } scalar: { i in
            a[i] * (b[i] - mean)
        }
    }

    @inline(__always)
    private static func chunkedReduce(count: Int, vector: (Int) -> SIMD16<Float>, scalar: (Int) -> Float) -> Double {
        var total = 0.0
        var i = 0
        while i < count {
            let end = min(count, i + 4096)
            var lanes = SIMD16<Float>()
            while i + 16 <= end {
                lanes += vector(i)
                i += 16
            }
            var partial = lanes.sum()
            while i < end {
                partial += scalar(i)
                i += 1
            }
            total += Double(partial)
        }
        return total
    }
}
