extension VoxelGrid where Voxel == Float {
    /// The image on a grid of the given spacing (mm), by cubic B-spline interpolation; a new grid of
    /// more than `maxVoxels` voxels is refused (`.tooLarge`) before anything is allocated.
    ///
    /// The grid is axis-aligned with the old one, so the 3D spline factorises: each axis is
    /// prefiltered and interpolated in turn with a per-axis table of four taps and weights, which
    /// gives exactly the tensor-product spline at a fraction of the cost of 64 taps per voxel.
    public func resampledBSpline(
        spacing target: SIMD3<Double>, maxVoxels: Int = NIfTI.defaultMaxVoxels
    ) throws(VolumeError) -> Volume {
        let grid = try ResamplingGrid(from: shape, affine: affine, spacing: target, maxVoxels: maxVoxels)
        var data = voxels
        var currentShape = shape
        for axis in 0..<3 where !grid.isIdentity(axis: axis, oldCount: currentShape[axis]) {
            let layout = AxisLayout(currentShape, axis: axis)
            data.withUnsafeMutableBufferPointer { CubicBSpline.prefilter($0.baseAddress!, along: layout) }
            data = Self.interpolate(data, layout: layout, positions: grid.positions[axis])
            currentShape[axis] = grid.positions[axis].count
        }
        return Volume(shape: grid.shape, affine: grid.affine, voxels: data)
    }

    /// Samples spline coefficients laid out along one axis at `positions` (continuous indices).
    private static func interpolate(_ coefficients: [Float], layout: AxisLayout, positions: [Double]) -> [Float] {
        let newCount = positions.count
        var taps = [Int](repeating: 0, count: 4 * newCount)
        var weights = [Float](repeating: 0, count: 4 * newCount)
        for (j, position) in positions.enumerated() {
            let floor = position.rounded(.down)
            let w = CubicBSpline.weights(position - floor)
            let first = Int(floor) - 1
            for tap in 0..<4 { taps[4 * j + tap] = CubicBSpline.mirror(first + tap, layout.count) }
            (weights[4 * j], weights[4 * j + 1], weights[4 * j + 2], weights[4 * j + 3]) =
                (Float(w.0), Float(w.1), Float(w.2), Float(w.3))
        }
        let inner = layout.inner
        let count = layout.count
        var output = [Float](repeating: 0, count: layout.outer * newCount * inner)
        output.withUnsafeMutableBufferPointer { outputBuffer in
            coefficients.withUnsafeBufferPointer { inputBuffer in
                let input = inputBuffer.baseAddress!
                let out = outputBuffer.baseAddress!
                if inner == 1 {
                    parallelRanges(layout.outer) { lines in
                        for line in lines {
                            let source = input + line * count
                            let target = out + line * newCount
                            for j in 0..<newCount {
                                let t = 4 * j
                                target[j] =
                                    weights[t] * source[taps[t]] + weights[t + 1] * source[taps[t + 1]]
                                    + weights[t + 2] * source[taps[t + 2]] + weights[t + 3] * source[taps[t + 3]]
                            }
                        }
                    }
                } else {
                    parallelRanges(layout.outer * newCount) { rows in
                        for row in rows {
                            let outer = row / newCount
                            let j = row % newCount
                            let t = 4 * j
                            let block = input + outer * count * inner
                            let r0 = block + taps[t] * inner, r1 = block + taps[t + 1] * inner
                            let r2 = block + taps[t + 2] * inner, r3 = block + taps[t + 3] * inner
                            let w0 = weights[t], w1 = weights[t + 1], w2 = weights[t + 2], w3 = weights[t + 3]
                            let target = out + row * inner
                            for q in 0..<inner {
                                target[q] = w0 * r0[q] + w1 * r1[q] + w2 * r2[q] + w3 * r3[q]
                            }
                        }
                    }
                }
            }
        }
        return output
    }
}

extension VoxelGrid {
    /// The voxels on a grid of the given spacing (mm) by nearest neighbour: labels keep their values.
    /// A new grid of more than `maxVoxels` voxels is refused (`.tooLarge`).
    public func resampledNearest(
        spacing target: SIMD3<Double>, maxVoxels: Int = NIfTI.defaultMaxVoxels
    ) throws(VolumeError) -> VoxelGrid {
        let grid = try ResamplingGrid(from: shape, affine: affine, spacing: target, maxVoxels: maxVoxels)
        let sources = (0..<3).map { axis in
            grid.positions[axis].map { min(max(Int(($0 + 0.5).rounded(.down)), 0), shape[axis] - 1) }
        }
        let newShape = grid.shape
        var newVoxels: [Voxel] = []
        newVoxels.reserveCapacity(newShape.count)
        for k in 0..<newShape.z {
            for j in 0..<newShape.y {
                let row = shape.x * (sources[1][j] + shape.y * sources[2][k])
                for i in 0..<newShape.x { newVoxels.append(voxels[row + sources[0][i]]) }
            }
        }
        return VoxelGrid(shape: newShape, affine: grid.affine, voxels: newVoxels)
    }

    /// The voxels on another grid (any affine) by nearest neighbour through world space; voxels of
    /// the new grid that fall outside this one take `outside`. Source indices are compared with the
    /// grid as Doubles before they become `Int`s, so affines far apart cannot trap the conversion.
    public func resampledNearest(
        onto shape: GridShape, affine target: Affine, outside: Voxel
    ) throws(VolumeError) -> VoxelGrid {
        guard let worldToIndex = affine.inverse else {
            throw VolumeError(.invalidGeometry, detail: "the affine \(affine) is singular")
        }
        let map = worldToIndex * target
        let source = self.shape
        var newVoxels = [Voxel](repeating: outside, count: shape.count)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    let (x, y, z) = map.apply((Double(i), Double(j), Double(k)))
                    let si = (x + 0.5).rounded(.down), sj = (y + 0.5).rounded(.down), sk = (z + 0.5).rounded(.down)
                    if si >= 0, sj >= 0, sk >= 0, si < Double(source.x), sj < Double(source.y), sk < Double(source.z) {
                        newVoxels[shape.offset(i, j, k)] = voxels[source.offset(Int(si), Int(sj), Int(sk))]
                    }
                }
            }
        }
        return VoxelGrid(shape: shape, affine: target, voxels: newVoxels)
    }
}
