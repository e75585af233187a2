/// Channels-last activations `[N, D, H, W, C]`: the layout of every tensor between the U-Net's
/// layers.
///
/// Each voxel's channels lie next to each other, the layout oneDNN's direct convolutions read and
/// write, so a convolution runs on the layers' tensors themselves instead of transposing them in and
/// out (two transposes per convolution and three more in its backward pass cost a tenth of a
/// training step on the `cpu` network); GroupNorm, pooling and upsampling loop over the channels
/// innermost. Images, logits and probabilities at the network's boundary stay NCDHW, PyTorch's
/// layout: `UNet3D` converts its input once, and its one-channel output is the same either way.
extension Tensor {
    /// Channels of a channels-last tensor: its last axis.
    var trailingChannels: Int { shape[rank - 1] }

    /// Depth, height and width of a channels-last tensor.
    var channelsLastSpatial: [Int] { Array(shape[1..<(rank - 1)]) }

    /// Voxel rows of a channels-last tensor (batch × depth × height × width), each `trailingChannels`
    /// long.
    var voxelRows: Int { count / trailingChannels }

    /// `[N, C, D, H, W]` → `[N, D, H, W, C]`.
    public func channelsLast() -> Tensor {
        let (batch, channels, voxels) = (self.batch, self.channels, self.voxels)
        var result = Tensor(uninitializedShape: [batch] + spatial + [channels])
        result.scalars.withUnsafeMutableBufferPointer { out in
            scalars.withUnsafeBufferPointer { source in
                for n in 0..<batch {
                    for c in 0..<channels {
                        let from = source.baseAddress! + (n * channels + c) * voxels
                        let to = out.baseAddress! + n * voxels * channels + c
                        for v in 0..<voxels { to[v * channels] = from[v] }
                    }
                }
            }
        }
        return result
    }

    /// `[N, D, H, W, C]` → `[N, C, D, H, W]`.
    public func channelsFirst() -> Tensor {
        let channels = trailingChannels
        let batch = shape[0]
        let voxels = voxelRows / batch
        var result = Tensor(uninitializedShape: [batch, channels] + shape[1..<(rank - 1)])
        result.scalars.withUnsafeMutableBufferPointer { out in
            scalars.withUnsafeBufferPointer { source in
                for n in 0..<batch {
                    for c in 0..<channels {
                        let from = source.baseAddress! + n * voxels * channels + c
                        let to = out.baseAddress! + (n * channels + c) * voxels
                        for v in 0..<voxels { to[v] = from[v * channels] }
                    }
                }
            }
        }
        return result
    }

    /// Adds each channel's sum over voxel rows `rows` of the channels-last `p` to `totals[channel]`:
    /// float partial sums over blocks of 1024 rows (~1e-7 relative rounding) added in double, as
    /// `chunkedSum` does along one channel, so millions of voxels lose no digits.
    static func addChannelSums(
        _ p: UnsafePointer<Float>, rows: Range<Int>, channels: Int, into totals: UnsafeMutablePointer<Double>
    ) {
        addChannelSums(p, rows: rows, channels: channels, into: totals) { value, _ in value }
    }

    /// Adds each channel's sum of `term(value, channel)` over voxel rows `rows` of the channels-last
    /// `p` to `totals[channel]`, in the same blocks as the plain sums (GroupNorm's squared deviations
    /// are one such term).
    @inline(__always)
    static func addChannelSums(
        _ p: UnsafePointer<Float>, rows: Range<Int>, channels: Int, into totals: UnsafeMutablePointer<Double>,
        of term: (Float, Int) -> Float
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: channels) { partial in
            var row = rows.lowerBound
            while row < rows.upperBound {
                let end = min(rows.upperBound, row + 1024)
                partial.initialize(repeating: 0)
                var x = p + row * channels
                for _ in row..<end {
                    for c in 0..<channels { partial[c] += term(x[c], c) }
                    x += channels
                }
                for c in 0..<channels { totals[c] += Double(partial[c]) }
                row = end
            }
        }
    }

    /// Per-channel totals over `rows` voxel rows, split over the compute threads: `add(range,
    /// totals)` adds one worker's rows into its own `channels` totals, which are then added in worker
    /// order, so a run with a fixed thread count is reproducible.
    static func channelTotals(
        rows: Int, channels: Int, _ add: (Range<Int>, UnsafeMutablePointer<Double>) -> Void
    ) -> [Double] {
        let workers = max(1, min(ComputeThreads.count, rows / 4096))
        var partials = [Double](repeating: 0, count: workers * channels)
        partials.withUnsafeMutableBufferPointer { p in
            let shared = SharedPointer(p.baseAddress!)
            ComputeThreads.run(workers: workers) { w in
                add((rows * w / workers)..<(rows * (w + 1) / workers), shared.base + w * channels)
            }
        }
        var totals = [Double](repeating: 0, count: channels)
        for w in 0..<workers {
            for c in 0..<channels { totals[c] += partials[w * channels + c] }
        }
        return totals
    }
}
