extension VoxelGrid {
    /// The orientation of this grid's axes.
    public func axisCodes() throws(VolumeError) -> AxisCodes { try AxisCodes(affine: affine) }

    /// The same voxels with their axes permuted and flipped so that the grid's axis codes are
    /// `target`; the affine changes so that every voxel keeps its world position. No interpolation,
    /// so images and labels are reoriented exactly.
    public func reoriented(to target: AxisCodes) throws(VolumeError) -> VoxelGrid {
        let current = try axisCodes()
        if current == target { return self }
        var sourceAxis = [0, 0, 0]
        var flipped = [false, false, false]
        for axis in 0..<3 {
            let source = current.worldAxes.firstIndex(of: target.worldAxes[axis])!
            sourceAxis[axis] = source
            flipped[axis] = current.signs[source] != target.signs[axis]
        }
        // newToOld maps a new voxel index to the old one; the new affine is affine · newToOld.
        var newToOld = Affine(elements: [Double](repeating: 0, count: 16))
        newToOld[3, 3] = 1
        var newShape = shape
        let strides = [1, shape.x, shape.x * shape.y]
        var step = [0, 0, 0]
        var start = 0
        for axis in 0..<3 {
            let source = sourceAxis[axis]
            newShape[axis] = shape[source]
            newToOld[source, axis] = flipped[axis] ? -1 : 1
            newToOld[source, 3] = flipped[axis] ? Double(shape[source] - 1) : 0
            step[axis] = flipped[axis] ? -strides[source] : strides[source]
            if flipped[axis] { start += (shape[source] - 1) * strides[source] }
        }
        let newVoxels = [Voxel](unsafeUninitializedCapacity: shape.count) { buffer, initialized in
            voxels.withUnsafeBufferPointer { old in
                var target = 0
                for k in 0..<newShape.z {
                    for j in 0..<newShape.y {
                        var source = start + j * step[1] + k * step[2]
                        for _ in 0..<newShape.x {
                            (buffer.baseAddress! + target).initialize(to: old[source])
                            target += 1
                            source += step[0]
                        }
                    }
                }
            }
            initialized = shape.count
        }
        return VoxelGrid(shape: newShape, affine: affine * newToOld, voxels: newVoxels)
    }
}
