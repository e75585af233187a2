import Foundation

extension VoxelGrid where Voxel == Float {
    /// The image blurred by a Gaussian of `sigma` voxels along each axis (a separable kernel cut at
    /// 3σ, edges repeated), so that a coarser level of a registration pyramid sees the large
    /// structures and not the noise that would trap the optimiser.
    public func smoothedGaussian(sigma: SIMD3<Double>) -> Volume {
        var data = voxels
        var scratch = [Float](repeating: 0, count: data.count)
        for axis in 0..<3 where shape[axis] > 1 && sigma[axis] > 0 {
            let radius = max(1, Int((3 * sigma[axis]).rounded(.up)))
            let variance = sigma[axis] * sigma[axis]
            var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * variance))) }
            let total = kernel.reduce(0, +)
            kernel = kernel.map { $0 / total }
            let layout = AxisLayout(shape, axis: axis)
            data.withUnsafeBufferPointer { input in
                scratch.withUnsafeMutableBufferPointer { output in
                    Self.convolve(input.baseAddress!, into: output.baseAddress!, kernel: kernel, along: layout)
                }
            }
            swap(&data, &scratch)
        }
        return Volume(shape: shape, affine: affine, voxels: data)
    }

    /// One axis of the separable convolution, `inner` lines at a time so the inner loop is a vector
    /// operation over whole rows.
    private static func convolve(
        _ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, kernel: [Float],
        along layout: AxisLayout
    ) {
        let radius = kernel.count / 2
        let (count, inner) = (layout.count, layout.inner)
        parallelRanges(layout.outer * count) { rows in
            for row in rows {
                let outer = row / count
                let position = row % count
                let block = outer * count * inner
                let target = output + block + position * inner
                for q in 0..<inner { target[q] = 0 }
                for (tap, weight) in kernel.enumerated() {
                    let source = min(max(position + tap - radius, 0), count - 1)
                    let line = input + block + source * inner
                    for q in 0..<inner { target[q] += weight * line[q] }
                }
            }
        }
    }
}

extension VoxelGrid {
    /// Every `factor`-th voxel along each axis, the kept voxels centred in the old grid and the
    /// affine updated so each stays where it was in the world: a pyramid level's grid (smooth an
    /// image first; masks are subsampled as they are).
    public func shrunk(by factor: Int) -> VoxelGrid {
        guard factor > 1 else { return self }
        let newShape = GridShape(max(shape.x / factor, 1), max(shape.y / factor, 1), max(shape.z / factor, 1))
        let start = (0..<3).map { (shape[$0] - 1 - factor * (newShape[$0] - 1)) / 2 }
        var newVoxels: [Voxel] = []
        newVoxels.reserveCapacity(newShape.count)
        for k in 0..<newShape.z {
            for j in 0..<newShape.y {
                let row = shape.offset(0, start[1] + factor * j, start[2] + factor * k)
                for i in 0..<newShape.x { newVoxels.append(voxels[row + start[0] + factor * i]) }
            }
        }
        var newToOld = Affine.scaling(Double(factor), Double(factor), Double(factor))
        for axis in 0..<3 { newToOld[axis, 3] = Double(start[axis]) }
        return VoxelGrid(shape: newShape, affine: affine * newToOld, voxels: newVoxels)
    }
}
