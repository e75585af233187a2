/// Channel-axis operations of channels-last tensors `[N, D, H, W, C]`: concatenation and splitting
/// (for callers that need the joined tensor; the U-Net's convolutions read the two blocks directly)
/// and the feature vector.
extension Tensor {
    /// Concatenates along channels: `[…, Ca]` and `[…, Cb]` give `[…, Ca + Cb]`.
    public static func concatenateChannels(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape.dropLast() == b.shape.dropLast(), "concat needs equal sizes: \(a.shape) \(b.shape)")
        let (ca, cb) = (a.trailingChannels, b.trailingChannels)
        var scalars: [Float] = []
        scalars.reserveCapacity(a.count + b.count)
        for row in 0..<a.voxelRows {
            scalars += a.scalars[(row * ca)..<((row + 1) * ca)]
            scalars += b.scalars[(row * cb)..<((row + 1) * cb)]
        }
        return Tensor(shape: a.shape.dropLast() + [ca + cb], scalars: scalars)
    }

    /// The inverse of `concatenateChannels`, used to split a gradient between its two inputs.
    public func splitChannels(at first: Int) -> (Tensor, Tensor) {
        let channels = trailingChannels
        var a: [Float] = [], b: [Float] = []
        a.reserveCapacity(voxelRows * first)
        b.reserveCapacity(voxelRows * (channels - first))
        for row in 0..<voxelRows {
            a += scalars[(row * channels)..<(row * channels + first)]
            b += scalars[(row * channels + first)..<((row + 1) * channels)]
        }
        return (
            Tensor(shape: shape.dropLast() + [first], scalars: a),
            Tensor(shape: shape.dropLast() + [channels - first], scalars: b)
        )
    }

    /// Global average pooling over depth, height and width: `[N, D, H, W, C]` → `[N, C]`.
    public func globalAveragePool() -> Tensor {
        let (batch, channels) = (shape[0], trailingChannels)
        let voxels = voxelRows / batch
        var out: [Float] = []
        out.reserveCapacity(batch * channels)
        scalars.withUnsafeBufferPointer { p in
            for n in 0..<batch {
                var totals = [Double](repeating: 0, count: channels)
                totals.withUnsafeMutableBufferPointer { t in
                    Tensor.addChannelSums(
                        p.baseAddress! + n * voxels * channels, rows: 0..<voxels, channels: channels,
                        into: t.baseAddress!)
                }
                out += totals.map { Float($0 / Double(voxels)) }
            }
        }
        return Tensor(shape: [batch, channels], scalars: out)
    }
}
