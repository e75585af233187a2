/// The grid a volume is resampled to when only its spacing changes: along each axis the new voxel
/// count is the old extent divided by the new spacing (rounded), and the new grid is centred on the
/// old one, so the field of view (voxel edge to voxel edge) is kept to within half a voxel.
struct ResamplingGrid {
    var shape: GridShape
    var affine: Affine
    /// For each axis, the positions of the new voxel centres in old (continuous) voxel indices.
    var positions: [[Double]]

    init(from shape: GridShape, affine: Affine, spacing target: SIMD3<Double>) {
        let spacing = affine.spacing
        var newShape = shape
        var positions: [[Double]] = []
        var newToOld = Affine.identity
        for axis in 0..<3 {
            let count = shape[axis]
            let step = target[axis] / spacing[axis]
            let newCount = max(1, Int((Double(count) * spacing[axis] / target[axis]).rounded()))
            let first = Double(count - 1) / 2 - Double(newCount - 1) / 2 * step
            newShape[axis] = newCount
            positions.append((0..<newCount).map { first + Double($0) * step })
            newToOld[axis, axis] = step
            newToOld[axis, 3] = first
        }
        self.shape = newShape
        self.affine = affine * newToOld
        self.positions = positions
    }

    /// True when an axis keeps its samples exactly (same count, unit step, no shift).
    func isIdentity(axis: Int, oldCount: Int) -> Bool {
        positions[axis].count == oldCount && positions[axis].enumerated().allSatisfy { $0.element == Double($0.offset) }
    }
}
