/// The grid a volume is resampled to when only its spacing changes: along each axis the new voxel
/// count is the old extent divided by the new spacing (rounded), and the new grid is centred on the
/// old one, so the field of view (voxel edge to voxel edge) is kept to within half a voxel.
struct ResamplingGrid {
    var shape: GridShape
    var affine: Affine
    /// For each axis, the positions of the new voxel centres in old (continuous) voxel indices.
    var positions: [[Double]]

    /// The grid for `target` spacing, refused when a spacing is not a finite positive size or the
    /// new grid would have more than `maxVoxels` voxels: the cap bounds what resampling allocates,
    /// whatever the source grid and spacings say.
    init(from shape: GridShape, affine: Affine, spacing target: SIMD3<Double>, maxVoxels: Int) throws(VolumeError) {
        let spacing = affine.spacing
        let steps = target / spacing
        func sizes(_ values: SIMD3<Double>) -> String { "\(values.x)×\(values.y)×\(values.z)" }
        guard (0..<3).allSatisfy({ steps[$0].isFinite && steps[$0] > 0 && target[$0].isFinite }) else {
            throw VolumeError(
                .invalidGeometry, detail: "cannot resample voxels of \(sizes(spacing)) mm to \(sizes(target)) mm")
        }
        let counts = SIMD3(Double(shape.x), Double(shape.y), Double(shape.z)) * spacing / target
        let rounded = counts.rounded(.toNearestOrAwayFromZero).replacing(with: 1, where: counts .< 1)
        guard let newShape = GridShape(checking: rounded, maxVoxels: maxVoxels) else {
            throw VolumeError(
                .tooLarge,
                detail: "resampling \(shape) from \(sizes(spacing)) mm to \(sizes(target)) mm gives "
                    + "\(sizes(counts)) voxels, above the cap of \(maxVoxels)")
        }
        var positions: [[Double]] = []
        var newToOld = Affine.identity
        for axis in 0..<3 {
            let step = steps[axis]
            let newCount = newShape[axis]
            let first = Double(shape[axis] - 1) / 2 - Double(newCount - 1) / 2 * step
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
