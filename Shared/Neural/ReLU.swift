/// Rectified linear unit; the backward pass passes gradients where the output is positive.
public final class ReLU: RecordingLayer {
    public var recordsForBackward = true
    private var output: Tensor?

    public init() {}

    public func callAsFunction(_ x: consuming Tensor) -> Tensor {
        x.applyReLU()
        output = recordsForBackward ? x : nil
        return x
    }

    public func backward(_ dy: consuming Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("ReLU.backward without a recorded forward pass") }
        output = nil
        dy.keepWherePositive(y)
        return dy
    }
}

extension Tensor {
    /// `x ← max(x, 0)` in place.
    mutating func applyReLU() {
        scalars.withUnsafeMutableBufferPointer { p in
            let out = SharedPointer(p.baseAddress!)
            ComputeThreads.parallelRanges(p.count / 16, minimumPerWorker: 1 << 12) { blocks in
                for block in blocks {
                    let v = UnsafeRawPointer(out.base + block * 16).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(out.base + block * 16).storeBytes(of: pointwiseMax(v, .zero), as: SIMD16<Float>.self)
                }
            }
            for i in (p.count / 16 * 16)..<p.count { out.base[i] = max(out.base[i], 0) }
        }
    }

    /// Zeroes the elements where `reference` is not positive (ReLU's backward pass, given its output).
    mutating func keepWherePositive(_ reference: Tensor) {
        precondition(reference.count == count)
        scalars.withUnsafeMutableBufferPointer { p in
            reference.scalars.withUnsafeBufferPointer { r in
                let out = SharedPointer(p.baseAddress!), ref = UncheckedSendable(r.baseAddress!)
                ComputeThreads.parallelRanges(p.count / 16, minimumPerWorker: 1 << 12) { blocks in
                    for block in blocks {
                        let i = block * 16
                        let r = UnsafeRawPointer(ref.value + i).loadUnaligned(as: SIMD16<Float>.self)
                        var g = UnsafeRawPointer(out.base + i).loadUnaligned(as: SIMD16<Float>.self)
                        g.replace(with: 0, where: r .<= 0)
                        UnsafeMutableRawPointer(out.base + i).storeBytes(of: g, as: SIMD16<Float>.self)
                    }
                }
                for i in (p.count / 16 * 16)..<p.count where ref.value[i] <= 0 { out.base[i] = 0 }
            }
        }
    }
}
