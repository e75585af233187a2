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
            ComputeThreads.parallelRanges(p.count, minimumPerWorker: 1 << 16) { range in
                for i in range { out.base[i] = max(out.base[i], 0) }
            }
        }
    }

    /// Zeroes the elements where `reference` is not positive (ReLU's backward pass, given its output).
    mutating func keepWherePositive(_ reference: Tensor) {
        precondition(reference.count == count)
        scalars.withUnsafeMutableBufferPointer { p in
            reference.scalars.withUnsafeBufferPointer { r in
                let out = SharedPointer(p.baseAddress!), ref = UncheckedSendable(r.baseAddress!)
                ComputeThreads.parallelRanges(p.count, minimumPerWorker: 1 << 16) { range in
                    for i in range { out.base[i] = ref.value[i] > 0 ? out.base[i] : 0 }
                }
            }
        }
    }
}
