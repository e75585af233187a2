/// Rectified linear unit; the backward pass passes gradients where the output is positive.
public final class ReLU: RecordingLayer {
    public var recordsForBackward = true
    private var output: Tensor?

    public init() {}

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { p in
            let out = SharedPointer(p.baseAddress!)
            ComputeThreads.parallelRanges(p.count, minimumPerWorker: 1 << 16) { range in
                for i in range { out.base[i] = max(out.base[i], 0) }
            }
        }
        output = recordsForBackward ? y : nil
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("ReLU.backward without a recorded forward pass") }
        output = nil
        var dx = dy
        dx.scalars.withUnsafeMutableBufferPointer { d in
            y.scalars.withUnsafeBufferPointer { yp in
                let out = SharedPointer(d.baseAddress!), ys = UncheckedSendable(yp.baseAddress!)
                ComputeThreads.parallelRanges(d.count, minimumPerWorker: 1 << 16) { range in
                    for i in range where ys.value[i] <= 0 { out.base[i] = 0 }
                }
            }
        }
        return dx
    }
}
