/// Element-wise arithmetic used by the layers, the loss and the optimizer.
extension Tensor {
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape, "shape mismatch \(lhs.shape) vs \(rhs.shape)")
        var result = lhs
        result.scalars.withUnsafeMutableBufferPointer { r in
            rhs.scalars.withUnsafeBufferPointer { b in
                for i in 0..<r.count { r[i] += b[i] }
            }
        }
        return result
    }

    public static func += (lhs: inout Tensor, rhs: Tensor) {
        precondition(lhs.shape == rhs.shape, "shape mismatch \(lhs.shape) vs \(rhs.shape)")
        lhs.scalars.withUnsafeMutableBufferPointer { r in
            rhs.scalars.withUnsafeBufferPointer { b in
                for i in 0..<r.count { r[i] += b[i] }
            }
        }
    }

    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        lhs.map { $0 * rhs }
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
        scalars.withUnsafeBufferPointer { p in
            var total = 0.0
            for v in p { total += Double(v) }
            return total
        }
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
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
