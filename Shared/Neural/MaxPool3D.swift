/// 2×2×2 max pooling with stride 2 (spatial sizes must be even) on channels-last activations
/// `[N, D, H, W, C]`.
///
/// The backward pass routes each gradient to the first maximal voxel of its window in (z, y, x)
/// order, the tie rule of PyTorch's CPU `max_pool3d`.
public final class MaxPool3D: RecordingLayer {
    public var recordsForBackward = true
    private var inputShape: [Int] = []
    /// Per output element, the window position (0–7, z-major) its maximum came from.
    private var argmax: [UInt8] = []

    public init() {}

    public func callAsFunction(_ x: consuming Tensor) -> Tensor {
        let (n, d, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        precondition(d % 2 == 0 && h % 2 == 0 && w % 2 == 0, "MaxPool3D needs even sizes, got \(x.shape)")
        inputShape = x.shape
        let (od, oh, ow) = (d / 2, h / 2, w / 2)
        var y = Tensor(uninitializedShape: [n, od, oh, ow, c])
        var argmax = [UInt8](repeating: 0, count: y.count)
        y.scalars.withUnsafeMutableBufferPointer { yp in
            argmax.withUnsafeMutableBufferPointer { ap in
                x.scalars.withUnsafeBufferPointer { xp in
                    let out = SharedPointer(yp.baseAddress!), arg = SharedPointer(ap.baseAddress!)
                    let src = UncheckedSendable(xp.baseAddress!)
                    // One task per output row of voxels `(item, z, y)`.
                    ComputeThreads.parallelRanges(n * od * oh) { range in
                        for row in range {
                            let (item, z, yy) = (row / (od * oh), row / oh % od, row % oh)
                            for xx in 0..<ow {
                                let o = ((row * ow) + xx) * c
                                let best = out.base + o, bestIndex = arg.base + o
                                for k in 0..<8 {
                                    let voxel =
                                        ((item * d + 2 * z + (k >> 2)) * h + 2 * yy + ((k >> 1) & 1)) * w + 2 * xx
                                        + (k & 1)
                                    let v = src.value + voxel * c
                                    if k == 0 {
                                        for ch in 0..<c {
                                            best[ch] = v[ch]
                                            bestIndex[ch] = 0
                                        }
                                    } else {
                                        for ch in 0..<c where v[ch] > best[ch] || v[ch].isNaN {
                                            best[ch] = v[ch]
                                            bestIndex[ch] = UInt8(k)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.argmax = recordsForBackward ? argmax : []
        return y
    }

    public func backward(_ dy: consuming Tensor) -> Tensor {
        let (n, d, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3], inputShape[4])
        let (od, oh, ow) = (d / 2, h / 2, w / 2)
        precondition(argmax.count == dy.count, "MaxPool3D.backward without a recorded forward pass")
        var dx = Tensor(zeros: inputShape)
        dx.scalars.withUnsafeMutableBufferPointer { dxp in
            dy.scalars.withUnsafeBufferPointer { dyp in
                argmax.withUnsafeBufferPointer { ap in
                    let out = SharedPointer(dxp.baseAddress!)
                    let grad = UncheckedSendable(dyp.baseAddress!), arg = UncheckedSendable(ap.baseAddress!)
                    ComputeThreads.parallelRanges(n * od * oh) { range in
                        for row in range {
                            let (item, z, yy) = (row / (od * oh), row / oh % od, row % oh)
                            for xx in 0..<ow {
                                let o = ((row * ow) + xx) * c
                                for ch in 0..<c {
                                    let k = Int(arg.value[o + ch])
                                    let voxel =
                                        ((item * d + 2 * z + (k >> 2)) * h + 2 * yy + ((k >> 1) & 1)) * w + 2 * xx
                                        + (k & 1)
                                    out.base[voxel * c + ch] = grad.value[o + ch]
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx
    }
}
