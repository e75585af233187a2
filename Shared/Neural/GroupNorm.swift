/// Group normalisation (Wu and He, 2018) with a per-channel affine transform.
///
/// Chosen over batch normalisation because training runs with batch 1. Statistics are the biased
/// mean and variance over each group's channels and voxels, with `epsilon` added to the variance as in
/// PyTorch's `nn.GroupNorm`; sums are accumulated in double precision. Works on channels-last
/// activations `[N, D, H, W, C]` (`Tensor+ChannelsLast.swift`): every pass runs over voxel rows with
/// the channels innermost.
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
        precondition(
            x.rank >= 2 && x.trailingChannels == channels, "GroupNorm expects \(channels) channels last, got \(x.shape)"
        )
        let batch = x.shape[0]
        means = [Float](repeating: 0, count: batch * groups)
        inverseDeviations = [Float](repeating: 0, count: batch * groups)
        guard recordsForBackward else {
            // Inference keeps nothing, so the output can overwrite the input.
            x.scalars.withUnsafeMutableBufferPointer { p in
                normalize(source: p.baseAddress!, into: p.baseAddress!, batch: batch, count: p.count)
            }
            return x
        }
        input = x
        var y = Tensor(uninitializedShape: x.shape)
        y.scalars.withUnsafeMutableBufferPointer { yp in
            x.scalars.withUnsafeBufferPointer { xp in
                normalize(source: xp.baseAddress!, into: yp.baseAddress!, batch: batch, count: xp.count)
            }
        }
        return y
    }

    /// The group of each channel.
    private func group(of channel: Int) -> Int { channel / (channels / groups) }

    /// Per channel, the statistic of its group: `values[n * groups + group(of: c)]` for item `n`.
    private func perChannel(_ values: [Float], item n: Int) -> [Float] {
        (0..<channels).map { values[n * groups + group(of: $0)] }
    }

    /// Sums per group of per-channel `totals`.
    private func groupTotals(_ totals: [Double]) -> [Double] {
        var sums = [Double](repeating: 0, count: groups)
        for c in 0..<channels { sums[group(of: c)] += totals[c] }
        return sums
    }

    /// Computes each group's statistics from `source` and writes the normalised, affine-transformed
    /// values to `destination` (which may be `source`: each element is read before it is written).
    private func normalize(
        source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, batch: Int, count: Int
    ) {
        let channels = self.channels
        let rows = count / (batch * channels)
        let groupSize = Double(channels / groups * rows)
        for n in 0..<batch {
            let x = UncheckedSendable(source + n * rows * channels)
            let sums = groupTotals(
                Tensor.channelTotals(rows: rows, channels: channels) { range, totals in
                    Tensor.addChannelSums(x.value, rows: range, channels: channels, into: totals)
                })
            for g in 0..<groups { means[n * groups + g] = Float(sums[g] / groupSize) }
            let channelMeans = perChannel(means, item: n)
            let deviations = groupTotals(
                Tensor.channelTotals(rows: rows, channels: channels) { range, totals in
                    channelMeans.withUnsafeBufferPointer { m in
                        Tensor.addChannelSums(x.value, rows: range, channels: channels, into: totals) { value, c in
                            let d = value - m[c]
                            return d * d
                        }
                    }
                })
            for g in 0..<groups {
                inverseDeviations[n * groups + g] = Float(
                    1 / (deviations[g] / groupSize + Double(epsilon)).squareRoot())
            }
            let rstd = perChannel(inverseDeviations, item: n)
            let a = (0..<channels).map { scale.value.scalars[$0] * rstd[$0] }
            let b = (0..<channels).map { shift.value.scalars[$0] - channelMeans[$0] * a[$0] }
            let out = SharedPointer(destination + n * rows * channels)
            let rectified = self.rectified
            ComputeThreads.parallelRanges(rows, minimumPerWorker: 1024) { range in
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        for r in range {
                            let src = x.value + r * channels, dst = out.base + r * channels
                            if rectified {
                                for c in 0..<channels {
                                    let value = src[c] * a[c] + b[c]
                                    dst[c] = value > 0 ? value : 0
                                }
                            } else {
                                for c in 0..<channels { dst[c] = src[c] * a[c] + b[c] }
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
        let batch = x.shape[0]
        let channels = self.channels
        let rows = x.count / (batch * channels)
        let groupSize = Double(channels / groups * rows)
        let gamma = scale.value.scalars
        for n in 0..<batch {
            let channelMeans = perChannel(means, item: n), rstd = perChannel(inverseDeviations, item: n)
            let a = (0..<channels).map { gamma[$0] * rstd[$0] }
            // ReLU's mask for a rectified GroupNorm: `γ·x̂ + β ≤ 0` where the forward pass zeroed.
            let b = (0..<channels).map { shift.value.scalars[$0] - channelMeans[$0] * a[$0] }
            let rectified = self.rectified
            // Per channel: Σ dy and Σ dy·(x − mean), which give the affine gradients and the group
            // means that the input gradient needs; the first pass also applies ReLU's mask to `dy`.
            var totals: [Double] = []
            dy.scalars.withUnsafeMutableBufferPointer { dyp in
                x.scalars.withUnsafeBufferPointer { xp in
                    let grad = SharedPointer(dyp.baseAddress! + n * rows * channels)
                    let src = UncheckedSendable(xp.baseAddress! + n * rows * channels)
                    totals = Tensor.channelTotals(rows: rows, channels: 2 * channels) { range, totals in
                        Self.addGradientSums(
                            x: src.value, dy: grad.base, rows: range, channels: channels, means: channelMeans,
                            mask: rectified ? (a, b) : nil, into: totals)
                    }
                }
            }
            let sumDy = Array(totals[0..<channels])
            let sumDyXhat = (0..<channels).map { totals[channels + $0] * Double(rstd[$0]) }
            let groupDxhat = groupTotals((0..<channels).map { sumDy[$0] * Double(gamma[$0]) })
            let groupDxhatXhat = groupTotals((0..<channels).map { sumDyXhat[$0] * Double(gamma[$0]) })
            let c1 = (0..<channels).map { rstd[$0] * Float(groupDxhat[group(of: $0)] / groupSize) }
            let c2 = (0..<channels).map { rstd[$0] * rstd[$0] * Float(groupDxhatXhat[group(of: $0)] / groupSize) }
            // The input gradient overwrites `dy` in place: each element is read before it is written.
            dy.scalars.withUnsafeMutableBufferPointer { dyp in
                x.scalars.withUnsafeBufferPointer { xp in
                    let grad = SharedPointer(dyp.baseAddress! + n * rows * channels)
                    let src = UncheckedSendable(xp.baseAddress! + n * rows * channels)
                    // One row per channel: a, c1, c2, mean.
                    let coefficients = UncheckedSendable(a + c1 + c2 + channelMeans)
                    ComputeThreads.parallelRanges(rows, minimumPerWorker: 1024) { range in
                        coefficients.value.withUnsafeBufferPointer { k in
                            let (a, c1, c2, m) = (
                                k.baseAddress!, k.baseAddress! + channels,
                                k.baseAddress! + 2 * channels, k.baseAddress! + 3 * channels
                            )
                            for r in range {
                                let xs = src.value + r * channels, g = grad.base + r * channels
                                for c in 0..<channels { g[c] = a[c] * g[c] - c1[c] - (xs[c] - m[c]) * c2[c] }
                            }
                        }
                    }
                }
            }
            for c in 0..<channels {
                shift.gradient.scalars[c] += Float(sumDy[c])
                scale.gradient.scalars[c] += Float(sumDyXhat[c])
            }
        }
        return dy
    }

    /// Adds `Σ dy` to `totals[channel]` and `Σ dy·(x − mean)` to `totals[channels + channel]` over
    /// `rows`, first zeroing `dy` where `x·a + b ≤ 0` when `mask` gives `(a, b)` (ReLU's backward
    /// pass, recomputed from the input and the statistics). Eight channels at a time in SIMD
    /// registers, the rest one by one.
    private static func addGradientSums(
        x: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>, rows: Range<Int>, channels: Int, means: [Float],
        mask: (a: [Float], b: [Float])?, into totals: UnsafeMutablePointer<Double>
    ) {
        typealias Lanes = SIMD8<Float>
        let masked = mask != nil
        // One row per channel: mean, a, b.
        let coefficients = means + (mask?.a ?? means) + (mask?.b ?? means)
        coefficients.withUnsafeBufferPointer { k in
            let (m, a, b) = (k.baseAddress!, k.baseAddress! + channels, k.baseAddress! + 2 * channels)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * channels) { partial in
                let sums = partial.baseAddress!, products = partial.baseAddress! + channels
                var row = rows.lowerBound
                while row < rows.upperBound {
                    let end = min(rows.upperBound, row + 1024)
                    partial.initialize(repeating: 0)
                    for r in row..<end {
                        let xs = x + r * channels, g = dy + r * channels
                        var c = 0
                        while c + 8 <= channels {
                            let xv = Lanes.load(xs + c)
                            var gv = Lanes.load(g + c)
                            if masked {
                                gv.replace(with: 0, where: xv * Lanes.load(a + c) + Lanes.load(b + c) .<= 0)
                                gv.store(to: g + c)
                            }
                            (Lanes.load(sums + c) + gv).store(to: sums + c)
                            (Lanes.load(products + c) + gv * (xv - Lanes.load(m + c))).store(to: products + c)
                            c += 8
                        }
                        while c < channels {
                            if masked && xs[c] * a[c] + b[c] <= 0 { g[c] = 0 }
                            sums[c] += g[c]
                            products[c] += g[c] * (xs[c] - m[c])
                            c += 1
                        }
                    }
                    for c in 0..<(2 * channels) { totals[c] += Double(partial[c]) }
                    row = end
                }
            }
        }
    }
}

extension SIMD8<Float> {
    /// Eight floats from `p`, which need not be aligned.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }

    /// Writes the eight lanes to `p`, which need not be aligned.
    @inline(__always)
    func store(to p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
}
