/// Group normalisation (Wu and He, 2018) with a per-channel affine transform.
///
/// Chosen over batch normalisation because training runs with batch 1. Statistics are the biased
/// mean and variance over each group's channels and voxels, with `epsilon` added to the variance as in
/// PyTorch's `nn.GroupNorm`; sums are accumulated in double precision.
///
/// A `rectified` GroupNorm is GroupNorm followed by ReLU in one pass: the rectification happens while
/// the normalised value is still in a register, and the backward pass recovers ReLU's mask from the
/// input and the statistics it keeps anyway, so the unit stores no second activation.
public final class GroupNorm: RecordingLayer {
    public let groups: Int
    public let channels: Int
    public let epsilon: Float
    /// Whether ReLU follows in the same pass (`max(ŷ, 0)`).
    public let rectified: Bool
    public let scale: Parameter
    public let shift: Parameter
    public var recordsForBackward = true
    private var input: Tensor?
    private var means: [Float] = []
    private var inverseDeviations: [Float] = []

    public init(groups: Int, channels: Int, epsilon: Float = 1e-5, rectified: Bool = false) {
        precondition(channels % groups == 0, "\(channels) channels do not split into \(groups) groups")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        self.rectified = rectified
        scale = Parameter(Tensor(repeating: 1, shape: [channels]))
        shift = Parameter(Tensor(zeros: [channels]))
    }

    public var parameters: [Parameter] { [scale, shift] }

    public func callAsFunction(_ x: consuming Tensor) -> Tensor {
        precondition(x.rank >= 2 && x.channels == channels, "GroupNorm expects \(channels) channels, got \(x.shape)")
        means = [Float](repeating: 0, count: x.batch * groups)
        inverseDeviations = [Float](repeating: 0, count: x.batch * groups)
        guard recordsForBackward else {
            // Inference keeps nothing, so the output can overwrite the input.
            x.scalars.withUnsafeMutableBufferPointer { p in
                normalize(source: p.baseAddress!, into: p.baseAddress!, batch: x.batch, count: p.count)
            }
            return x
        }
        input = x
        var y = Tensor(uninitializedShape: x.shape)
        y.scalars.withUnsafeMutableBufferPointer { yp in
            x.scalars.withUnsafeBufferPointer { xp in
                normalize(source: xp.baseAddress!, into: yp.baseAddress!, batch: x.batch, count: xp.count)
            }
        }
        return y
    }

    /// Computes each group's statistics from `source` and writes the normalised, affine-transformed
    /// values to `destination` (which may be `source`: each element is read before it is written).
    private func normalize(
        source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, batch: Int, count: Int
    ) {
        let voxels = count / (batch * channels)
        let perGroup = channels / groups
        let groupSize = perGroup * voxels
        let groups = self.groups
        let epsilon = Double(self.epsilon)
        let rectified = self.rectified
        means.withUnsafeMutableBufferPointer { mp in
            inverseDeviations.withUnsafeMutableBufferPointer { rp in
                scale.value.scalars.withUnsafeBufferPointer { gp in
                    shift.value.scalars.withUnsafeBufferPointer { bp in
                        let m = SharedPointer(mp.baseAddress!), r = SharedPointer(rp.baseAddress!)
                        let out = SharedPointer(destination)
                        let xs = UncheckedSendable(source)
                        let gamma = UncheckedSendable(gp.baseAddress!), beta = UncheckedSendable(bp.baseAddress!)
                        ComputeThreads.parallelRanges(batch * groups) { range in
                            for ng in range {
                                let base = ng * groupSize
                                let (mean, variance) = Self.moments(xs.value + base, count: groupSize)
                                let rstd = 1 / (variance + epsilon).squareRoot()
                                m.base[ng] = Float(mean)
                                r.base[ng] = Float(rstd)
                                let g0 = (ng % groups) * perGroup
                                for c in 0..<perGroup {
                                    let a = gamma.value[g0 + c] * Float(rstd)
                                    let b = beta.value[g0 + c] - Float(mean) * a
                                    let src = xs.value + base + c * voxels
                                    let dst = out.base + base + c * voxels
                                    if rectified {
                                        for i in 0..<voxels {
                                            let value = src[i] * a + b
                                            dst[i] = value > 0 ? value : 0
                                        }
                                    } else {
                                        for i in 0..<voxels { dst[i] = src[i] * a + b }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func backward(_ dy: consuming Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("GroupNorm.backward without a recorded forward pass") }
        input = nil
        precondition(dy.shape == x.shape)
        let batch = x.batch
        let voxels = x.count / (batch * channels)
        let perGroup = channels / groups
        let groupSize = perGroup * voxels
        let groups = self.groups
        if rectified { keepWhereRectifiedOutputIsPositive(&dy, input: x) }
        // Per (item, channel): Σ dy and Σ dy·x̂, which give the affine gradients and the group means
        // that the input gradient needs.
        var sumDy = [Double](repeating: 0, count: batch * channels)
        var sumDyXhat = [Double](repeating: 0, count: batch * channels)
        sumDy.withUnsafeMutableBufferPointer { sdp in
            sumDyXhat.withUnsafeMutableBufferPointer { sxp in
                // The input gradient overwrites `dy` in place: each element is read before it is written.
                dy.scalars.withUnsafeMutableBufferPointer { dyp in
                    x.scalars.withUnsafeBufferPointer { xp in
                        scale.value.scalars.withUnsafeBufferPointer { gp in
                            let sd = SharedPointer(sdp.baseAddress!), sx = SharedPointer(sxp.baseAddress!)
                            let out = SharedPointer(dyp.baseAddress!)
                            let xs = UncheckedSendable(xp.baseAddress!),
                                dys = UncheckedSendable(UnsafePointer(dyp.baseAddress!))
                            let gamma = UncheckedSendable(gp.baseAddress!)
                            let means = UncheckedSendable(self.means), rstds = UncheckedSendable(self.inverseDeviations)
                            ComputeThreads.parallelRanges(batch * groups) { range in
                                for ng in range {
                                    let n = ng / groups, g = ng % groups
                                    let mean = means.value[ng], rstd = rstds.value[ng]
                                    var groupDxhat = 0.0, groupDxhatXhat = 0.0
                                    for c in 0..<perGroup {
                                        let channel = g * perGroup + c
                                        let src = xs.value + ng * groupSize + c * voxels
                                        let grad = dys.value + ng * groupSize + c * voxels
                                        let d0 = Tensor.chunkedSum(grad, count: voxels)
                                        let d1 = Tensor.chunkedDot(grad, src, count: voxels, mean: mean) * Double(rstd)
                                        sd.base[n * perGroup * groups + channel] = d0
                                        sx.base[n * perGroup * groups + channel] = d1
                                        groupDxhat += d0 * Double(gamma.value[channel])
                                        groupDxhatXhat += d1 * Double(gamma.value[channel])
                                    }
                                    let meanDxhat = Float(groupDxhat / Double(groupSize))
                                    let meanDxhatXhat = Float(groupDxhatXhat / Double(groupSize))
                                    for c in 0..<perGroup {
                                        let channel = g * perGroup + c
                                        let src = xs.value + ng * groupSize + c * voxels
                                        let grad = dys.value + ng * groupSize + c * voxels
                                        let dst = out.base + ng * groupSize + c * voxels
                                        let a = gamma.value[channel] * rstd
                                        let c1 = rstd * meanDxhat
                                        let c2 = rstd * rstd * meanDxhatXhat
                                        for i in 0..<voxels {
                                            dst[i] = a * grad[i] - c1 - (src[i] - mean) * c2
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for n in 0..<batch {
            for c in 0..<channels {
                shift.gradient.scalars[c] += Float(sumDy[n * channels + c])
                scale.gradient.scalars[c] += Float(sumDyXhat[n * channels + c])
            }
        }
        return dy
    }

    /// ReLU's backward pass for a rectified GroupNorm: zeroes `dy` where `γ·x̂ + β ≤ 0`, which
    /// recomputes the forward pass's decision from its input and statistics.
    private func keepWhereRectifiedOutputIsPositive(_ dy: inout Tensor, input x: Tensor) {
        let voxels = x.count / (x.batch * channels)
        let perGroup = channels / groups
        let channels = self.channels
        dy.scalars.withUnsafeMutableBufferPointer { dyp in
            x.scalars.withUnsafeBufferPointer { xp in
                scale.value.scalars.withUnsafeBufferPointer { gp in
                    shift.value.scalars.withUnsafeBufferPointer { bp in
                        let out = SharedPointer(dyp.baseAddress!), xs = UncheckedSendable(xp.baseAddress!)
                        let gamma = UncheckedSendable(gp.baseAddress!), beta = UncheckedSendable(bp.baseAddress!)
                        let means = UncheckedSendable(self.means), rstds = UncheckedSendable(self.inverseDeviations)
                        ComputeThreads.parallelRanges(x.batch * channels) { range in
                            for nc in range {
                                let c = nc % channels, ng = (nc / channels) * groups + c / perGroup
                                let a = gamma.value[c] * rstds.value[ng]
                                let b = beta.value[c] - means.value[ng] * a
                                let src = xs.value + nc * voxels, grad = out.base + nc * voxels
                                for i in 0..<voxels { grad[i] = src[i] * a + b > 0 ? grad[i] : 0 }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Mean and biased variance in double precision (two passes).
    static func moments(_ p: UnsafePointer<Float>, count: Int) -> (Double, Double) {
        let mean = Tensor.chunkedSum(p, count: count) / Double(count)
        return (mean, Tensor.chunkedSquaredDeviations(p, count: count, mean: Float(mean)) / Double(count))
    }
}
