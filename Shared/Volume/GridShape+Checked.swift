extension GridShape {
    /// The grid with these voxel counts along i, j, k, computed in floating point (an extent divided
    /// by a spacing), or nil when a count is not finite or below 1, or the grid has more than
    /// `maxVoxels` voxels. Each count is compared with the cap before it becomes an `Int`, so a
    /// count of 1e30 is refused rather than trapping in the conversion.
    init?(checking counts: SIMD3<Double>, maxVoxels: Int) {
        var sizes: [Int] = []
        for axis in 0..<3 {
            let count = counts[axis]
            guard count.isFinite, count >= 1, count <= Double(maxVoxels) else { return nil }
            sizes.append(Int(count))
        }
        guard let total = checkedProduct(sizes), total <= maxVoxels else { return nil }
        self.init(sizes[0], sizes[1], sizes[2])
    }
}

/// The product of `values`, or nil when it overflows `Int`: sizes a file or a request claims are
/// multiplied this way before anything of that size is allocated.
func checkedProduct(_ values: [Int]) -> Int? {
    var product = 1
    for value in values {
        let (next, overflow) = product.multipliedReportingOverflow(by: value)
        if overflow { return nil }
        product = next
    }
    return product
}
