/// Channel-axis operations of NCDHW tensors: concatenation and splitting (for callers that need the
/// joined tensor; the U-Net's convolutions read the two blocks directly) and the feature vector.
extension Tensor {
    /// Concatenates along channels: `[N, Ca, …]` and `[N, Cb, …]` give `[N, Ca + Cb, …]`.
    public static func concatenateChannels(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.batch == b.batch && a.spatial == b.spatial, "concat needs equal sizes: \(a.shape) \(b.shape)")
        let sizeA = a.count / a.batch, sizeB = b.count / b.batch
        var scalars: [Float] = []
        scalars.reserveCapacity(a.count + b.count)
        for n in 0..<a.batch {
            scalars += a.scalars[(n * sizeA)..<((n + 1) * sizeA)]
            scalars += b.scalars[(n * sizeB)..<((n + 1) * sizeB)]
        }
        return Tensor(shape: [a.batch, a.channels + b.channels] + a.spatial, scalars: scalars)
    }

    /// The inverse of `concatenateChannels`, used to split a gradient between its two inputs.
    public func splitChannels(at first: Int) -> (Tensor, Tensor) {
        let voxels = self.voxels
        let sizeA = first * voxels, sizeB = (channels - first) * voxels
        var a: [Float] = [], b: [Float] = []
        a.reserveCapacity(batch * sizeA)
        b.reserveCapacity(batch * sizeB)
        for n in 0..<batch {
            let base = n * (sizeA + sizeB)
            a += scalars[base..<(base + sizeA)]
            b += scalars[(base + sizeA)..<(base + sizeA + sizeB)]
        }
        return (
            Tensor(shape: [batch, first] + spatial, scalars: a),
            Tensor(shape: [batch, channels - first] + spatial, scalars: b)
        )
    }

    /// Global average pooling over depth, height and width: `[N, C, D, H, W]` → `[N, C]`.
    public func globalAveragePool() -> Tensor {
        let voxels = self.voxels
        var out = [Float](repeating: 0, count: batch * channels)
        scalars.withUnsafeBufferPointer { p in
            for i in 0..<(batch * channels) {
                var total = 0.0
                for v in 0..<voxels { total += Double(p[i * voxels + v]) }
                out[i] = Float(total / Double(voxels))
            }
        }
        return Tensor(shape: [batch, channels], scalars: out)
    }

    /// The gradient of `globalAveragePool`: spreads `[N, C]` evenly over `spatial`.
    public static func globalAveragePoolBackward(_ dy: Tensor, spatial: [Int]) -> Tensor {
        let voxels = spatial.reduce(1, *)
        var scalars = [Float](repeating: 0, count: dy.count * voxels)
        for i in 0..<dy.count {
            let v = dy.scalars[i] / Float(voxels)
            for j in 0..<voxels { scalars[i * voxels + j] = v }
        }
        return Tensor(shape: dy.shape + spatial, scalars: scalars)
    }
}
