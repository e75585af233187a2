/// A cubic B-spline over a grid's index space, held as its control points: the smooth log bias field
/// of N4.
///
/// The parametrisation is ITK's (`BSplineScatteredDataPointSetToImageFilter`,
/// `BSplineControlPointImageFilter`): along an axis of `spans` mesh spans there are `spans + 3`
/// control points, the domain [0, spans] runs from the first to the last voxel centre of the grid the
/// spline was fitted on, and control point c carries the B-spline centred at parametric position
/// c − 1. Every operation is separable, so fitting and evaluation cost a few passes over the grid
/// instead of 64 taps per voxel.
struct ControlPointLattice: Sendable {
    /// Control points along i, j, k.
    private(set) var size: GridShape
    /// Coefficients, i fastest.
    private(set) var values: [Double]

    /// A lattice of zeros with `spans` mesh spans along each axis.
    init(spans: SIMD3<Int>) {
        size = GridShape(spans.x + 3, spans.y + 3, spans.z + 3)
        values = [Double](repeating: 0, count: size.count)
    }

    var spans: SIMD3<Int> { SIMD3(size.x - 3, size.y - 3, size.z - 3) }

    /// Adds another lattice of the same size (the fit of a residual to the running estimate).
    static func += (lattice: inout ControlPointLattice, other: ControlPointLattice) {
        precondition(lattice.size == other.size, "lattices of one estimate share their size")
        for index in lattice.values.indices { lattice.values[index] += other.values[index] }
    }

    /// The same spline on a mesh twice as fine along every axis (2·spans, so 2n − 3 control points):
    /// cubic B-spline subdivision, which represents the coarse spline exactly, as ITK's
    /// `RefineControlPointLattice` does between N4's fitting levels. A fine control point at an even
    /// index 2m takes (a[m] + a[m+1]) / 2, at an odd one 2m + 1 (a[m] + 6 a[m+1] + a[m+2]) / 8.
    func refined() -> ControlPointLattice {
        var current = values
        var shape = size
        for axis in 0..<3 {
            let layout = AxisLayout(shape, axis: axis)
            let (count, inner) = (layout.count, layout.inner)
            let newCount = 2 * count - 3
            var next = [Double](repeating: 0, count: layout.outer * newCount * inner)
            for outer in 0..<layout.outer {
                let source = outer * count * inner
                let target = outer * newCount * inner
                for fine in 0..<newCount {
                    let m = fine / 2
                    for q in 0..<inner {
                        let a0 = current[source + m * inner + q], a1 = current[source + (m + 1) * inner + q]
                        next[target + fine * inner + q] =
                            fine % 2 == 0 ? (a0 + a1) / 2 : (a0 + 6 * a1 + current[source + (m + 2) * inner + q]) / 8
                    }
                }
            }
            current = next
            shape[axis] = newCount
        }
        var lattice = self
        lattice.size = shape
        lattice.values = current
        return lattice
    }

    /// Lee, Wolberg & Shin's B-spline approximation (1997; ITK's
    /// `BSplineScatteredDataPointSetToImageFilter` at one level) of data given at `samples`: each
    /// sample's value z spreads to the 64 control points c around it as φ_c = w_c z / Σ w², and each
    /// control point takes the average of those φ_c weighted by w_c².
    ///
    /// The weights factorise over the axes, so the numerator Σ w_c³ z / Σ w² is `scaledValues`
    /// (z / Σ w² per sample, `LatticeSamples.inverseWeightSums`) contracted with the cubed weight
    /// tables along i, j and k, and the denominator Σ w_c² is `normaliser` (the samples contracted
    /// with squared weights), which depends only on where the samples are.
    static func approximating(
        _ scaledValues: [Double], at samples: LatticeSamples, normaliser: [Double]
    ) -> ControlPointLattice {
        var lattice = ControlPointLattice(spans: samples.spans)
        let numerator = contract(scaledValues, at: samples, power: 3)
        for index in lattice.values.indices where normaliser[index] > 0 {
            lattice.values[index] = numerator[index] / normaliser[index]
        }
        return lattice
    }

    /// The denominator of `approximating` for these samples.
    static func normaliser(at samples: LatticeSamples) -> [Double] {
        contract([Double](repeating: 1, count: samples.column.count), at: samples, power: 2)
    }

    /// Σ over samples of w_i[a]^p · w_j[b]^p · w_k[c]^p · value, into the control points
    /// (first(i) + a, first(j) + b, first(k) + c): along i from the samples themselves (voxels
    /// without data cost nothing), then along j and k over the partly contracted grid.
    private static func contract(_ values: [Double], at samples: LatticeSamples, power: Int) -> [Double] {
        let tables = samples.axes.map { $0.weights(power: power) }
        let shape = samples.shape
        let latticeX = tables[0].controlPoints
        var current = [Double](repeating: 0, count: latticeX * shape.y * shape.z)
        for (n, value) in values.enumerated() {
            let i = samples.column[n]
            let base = latticeX * samples.row[n] + tables[0].first[i]
            for tap in 0..<4 { current[base + tap] += tables[0].weights[4 * i + tap] * value }
        }
        var currentShape = GridShape(latticeX, shape.y, shape.z)
        for axis in 1..<3 {
            let table = tables[axis]
            let layout = AxisLayout(currentShape, axis: axis)
            let (count, inner, points) = (layout.count, layout.inner, table.controlPoints)
            var next = [Double](repeating: 0, count: layout.outer * points * inner)
            for outer in 0..<layout.outer {
                let source = outer * count * inner
                let target = outer * points * inner
                for position in 0..<count {
                    let first = table.first[position]
                    for tap in 0..<4 {
                        let weight = table.weights[4 * position + tap]
                        let destination = target + (first + tap) * inner
                        let row = source + position * inner
                        for q in 0..<inner { next[destination + q] += weight * current[row + q] }
                    }
                }
            }
            current = next
            currentShape[axis] = points
        }
        return current
    }

    /// The spline's values at the samples.
    func evaluated(at samples: LatticeSamples) -> [Float] {
        let table = samples.axes[0].weights(power: 1)
        let rows = collapsed(onto: samples.shape)
        let latticeX = size.x
        return (0..<samples.column.count).map { n in
            let i = samples.column[n]
            let base = latticeX * samples.row[n] + table.first[i]
            let w = 4 * i
            return Float(
                table.weights[w] * rows[base] + table.weights[w + 1] * rows[base + 1] + table.weights[w + 2]
                    * rows[base + 2] + table.weights[w + 3] * rows[base + 3])
        }
    }

    /// The spline's values on a grid laid over its domain (first voxel at 0, last at the spans).
    func evaluated(on shape: GridShape) -> [Float] {
        let table = SplineAxis(count: shape.x, spans: spans.x).weights(power: 1)
        let rows = collapsed(onto: shape)
        let latticeX = size.x
        var output = [Float](repeating: 0, count: shape.count)
        output.withUnsafeMutableBufferPointer { output in
            rows.withUnsafeBufferPointer { rows in
                table.weights.withUnsafeBufferPointer { weights in
                    parallelRanges(shape.y * shape.z) { lines in
                        for line in lines {
                            let source = rows.baseAddress! + latticeX * line
                            let target = output.baseAddress! + shape.x * line
                            for i in 0..<shape.x {
                                let c = source + table.first[i]
                                let w = weights.baseAddress! + 4 * i
                                target[i] = Float(w[0] * c[0] + w[1] * c[1] + w[2] * c[2] + w[3] * c[3])
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// The lattice summed along k and then j onto the grid's rows: [j, k] blocks of the lattice's
    /// i control points, which the last pass along i weighs per voxel.
    private func collapsed(onto shape: GridShape) -> [Double] {
        let spans = self.spans
        let tableY = SplineAxis(count: shape.y, spans: spans.y).weights(power: 1)
        let tableZ = SplineAxis(count: shape.z, spans: spans.z).weights(power: 1)
        let sliceSize = size.x * size.y
        var planes = [Double](repeating: 0, count: sliceSize * shape.z)
        for k in 0..<shape.z {
            for tap in 0..<4 {
                let weight = tableZ.weights[4 * k + tap]
                let source = (tableZ.first[k] + tap) * sliceSize
                for q in 0..<sliceSize { planes[k * sliceSize + q] += weight * values[source + q] }
            }
        }
        let latticeX = size.x
        var rows = [Double](repeating: 0, count: latticeX * shape.y * shape.z)
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                let target = latticeX * (j + shape.y * k)
                for tap in 0..<4 {
                    let weight = tableY.weights[4 * j + tap]
                    let source = latticeX * ((tableY.first[j] + tap) + size.y * k)
                    for a in 0..<latticeX { rows[target + a] += weight * planes[source + a] }
                }
            }
        }
        return rows
    }
}

/// Voxels of a grid where data are given, placed on a lattice of `spans` mesh spans: each sample's
/// index along i (`column`) and its row j + ny·k, and the factors of its approximation weights.
struct LatticeSamples: Sendable {
    let shape: GridShape
    let spans: SIMD3<Int>
    let axes: [SplineAxis]
    let column: [Int]
    let row: [Int]
    /// 1 / Σ w² over each sample's 64 control-point weights.
    let inverseWeightSums: [Double]

    init(offsets: [Int], shape: GridShape, spans: SIMD3<Int>) {
        self.shape = shape
        self.spans = spans
        axes = (0..<3).map { SplineAxis(count: shape[$0], spans: spans[$0]) }
        column = offsets.map { $0 % shape.x }
        row = offsets.map { $0 / shape.x }
        let (x, y, z) = (axes[0].squaredWeightSums, axes[1].squaredWeightSums, axes[2].squaredWeightSums)
        inverseWeightSums = offsets.map { offset in
            let (i, j, k) = (offset % shape.x, (offset / shape.x) % shape.y, offset / (shape.x * shape.y))
            return 1 / (x[i] * y[j] * z[k])
        }
    }
}

/// Where the voxels of one grid axis fall on a lattice axis: for each voxel index, the first of the
/// four control points its value depends on and the parametric offset within that span.
struct SplineAxis: Sendable {
    /// Mesh spans along the axis.
    let spans: Int
    /// The first control point of each voxel.
    let first: [Int]
    /// The position within the span, in [0, 1].
    let offsets: [Double]

    /// `count` voxels over the domain [0, spans]: voxel i sits at spans · i / (count − 1), the last
    /// one at the end of the last span.
    init(count: Int, spans: Int) {
        self.spans = spans
        var first = [Int](repeating: 0, count: count)
        var offsets = [Double](repeating: 0, count: count)
        for index in 0..<count {
            let u = count > 1 ? Double(spans) * Double(index) / Double(count - 1) : 0
            let span = min(Int(u.rounded(.down)), spans - 1)
            first[index] = span
            offsets[index] = u - Double(span)
        }
        self.first = first
        self.offsets = offsets
    }

    /// Per-voxel control point indices and the four weights raised to `power`.
    struct Table {
        let controlPoints: Int
        let first: [Int]
        let weights: [Double]
    }

    func weights(power: Int) -> Table {
        var weights = [Double](repeating: 0, count: 4 * offsets.count)
        for (index, t) in offsets.enumerated() {
            let w = CubicBSpline.weights(t)
            for (tap, value) in [w.0, w.1, w.2, w.3].enumerated() {
                weights[4 * index + tap] = power == 1 ? value : (power == 2 ? value * value : value * value * value)
            }
        }
        return Table(controlPoints: spans + 3, first: first, weights: weights)
    }

    /// Σ over the four taps of weight², per voxel: the axis's factor of the BA normaliser Σ w².
    var squaredWeightSums: [Double] {
        offsets.map { t in
            let w = CubicBSpline.weights(t)
            return w.0 * w.0 + w.1 * w.1 + w.2 * w.2 + w.3 * w.3
        }
    }
}
