/// 2×2×2 max pooling with stride 2 (spatial sizes must be even).
///
/// The backward pass routes each gradient to the first maximal voxel of its window in (z, y, x)
/// order, the tie rule of PyTorch's CPU `max_pool3d`.
public final class MaxPool3D: RecordingLayer {
    public var recordsForBackward = true
    private var inputShape: [Int] = []
    private var argmax: [UInt8] = []

    public init() {}

    public func callAsFunction(_ x: consuming Tensor) -> Tensor {
        let (d, h, w) = (x.shape[2], x.shape[3], x.shape[4])
        precondition(d % 2 == 0 && h % 2 == 0 && w % 2 == 0, "MaxPool3D needs even sizes, got \(x.shape)")
        inputShape = x.shape
        let (od, oh, ow) = (d / 2, h / 2, w / 2)
        var y = Tensor(uninitializedShape: [x.batch, x.channels, od, oh, ow])
        var argmax = [UInt8](repeating: 0, count: y.count)
        let planes = x.batch * x.channels
        y.scalars.withUnsafeMutableBufferPointer { yp in
            argmax.withUnsafeMutableBufferPointer { ap in
                x.scalars.withUnsafeBufferPointer { xp in
                    let out = SharedPointer(yp.baseAddress!), arg = SharedPointer(ap.baseAddress!)
                    let src = UncheckedSendable(xp.baseAddress!)
                    ComputeThreads.parallelRanges(planes) { range in
                        for plane in range {
                            let input = src.value + plane * d * h * w
                            let output = plane * od * oh * ow
                            for z in 0..<od {
                                for yy in 0..<oh {
                                    for xx in 0..<ow {
                                        var best = -Float.infinity
                                        var bestIndex: UInt8 = 0
                                        for k in 0..<8 {
                                            let v = input[
                                                ((2 * z + (k >> 2)) * h + 2 * yy + ((k >> 1) & 1)) * w + 2 * xx
                                                    + (k & 1)]
                                            if v > best || v.isNaN {
                                                best = v
                                                bestIndex = UInt8(k)
                                            }
                                        }
                                        let o = output + (z * oh + yy) * ow + xx
                                        out.base[o] = best
                                        arg.base[o] = bestIndex
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
        let (d, h, w) = (inputShape[2], inputShape[3], inputShape[4])
        let (od, oh, ow) = (d / 2, h / 2, w / 2)
        precondition(argmax.count == dy.count, "MaxPool3D.backward without a recorded forward pass")
        var dx = Tensor(zeros: inputShape)
        let planes = inputShape[0] * inputShape[1]
        dx.scalars.withUnsafeMutableBufferPointer { dxp in
            dy.scalars.withUnsafeBufferPointer { dyp in
                argmax.withUnsafeBufferPointer { ap in
                    let out = SharedPointer(dxp.baseAddress!)
                    let grad = UncheckedSendable(dyp.baseAddress!), arg = UncheckedSendable(ap.baseAddress!)
                    ComputeThreads.parallelRanges(planes) { range in
                        for plane in range {
                            let input = out.base + plane * d * h * w
                            let output = plane * od * oh * ow
                            for z in 0..<od {
                                for yy in 0..<oh {
                                    for xx in 0..<ow {
                                        let o = output + (z * oh + yy) * ow + xx
                                        let k = Int(arg.value[o])
                                        input[
                                            ((2 * z + (k >> 2)) * h + 2 * yy + ((k >> 1) & 1)) * w + 2 * xx + (k & 1)] =
                                            grad.value[o]
                                    }
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
