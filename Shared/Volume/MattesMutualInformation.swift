import Foundation

/// Mattes mutual information between a fixed image, read at a sample of its voxels, and a moving
/// image read through a rigid transform (Mattes et al. 2003, IEEE TMI 22:120; as ITK's
/// MattesMutualInformationImageToImageMetricv4 computes it).
///
/// MI and not a difference of intensities, because T2 and T1c show the same tissue with different
/// brightness (CSF bright on T2, dark on T1c). The joint histogram is a Parzen window estimate: the
/// fixed intensity falls in one bin (a box kernel), the moving intensity spreads over four bins with
/// the cubic B-spline kernel, which makes the histogram, and so MI, differentiable in the transform
/// parameters. Two bins of padding at each end keep the kernel inside the histogram. The moving
/// image is read by trilinear interpolation, whose derivative gives the analytic gradient
///
///     ∂MI/∂μ = Σ_ι,κ ∂p(ι,κ)/∂μ · log(p(ι,κ) / p_moving(κ)),
///
/// exact where the interpolant is differentiable (everywhere but on voxel faces). Samples whose
/// moved point leaves the moving grid are left out, and the histogram is normalised over the rest.
struct MattesMutualInformation {
    /// One evaluation of the metric at a transform.
    struct Evaluation {
        /// −MI (nats), so that registration minimises it as ITK does.
        var value: Double
        /// ∂(−MI)/∂ parameters, in `RigidTransform.parameters` order (empty when not asked for).
        var gradient: [Double]
        /// Samples whose moved point is inside the moving grid.
        var validSamples: Int
        /// The fraction of all samples whose moved point lands on a nonzero moving voxel: how much of
        /// the fixed mask the moved image covers.
        var overlap: Double
    }

    static let padding = 2

    let bins: Int
    /// Fixed sample positions (world mm) and their histogram bins.
    let points: [SIMD3<Double>]
    let fixedBins: [Int32]
    let moving: Volume
    let worldToMoving: Affine
    let movingBinSize: Double
    let movingNormalisedMinimum: Double

    /// Samples every `stride`-th voxel of the mask (in storage order) of the fixed image, each moved
    /// by a fixed offset within its voxel (`jitter`) and read there by trilinear interpolation; the
    /// fixed intensities are binned over the range of the samples, the moving ones over the moving image's.
    init(fixed: Volume, mask: LabelVolume, moving: Volume, bins: Int, stride: Int) {
        precondition(mask.shape == fixed.shape, "the mask shares the fixed image's grid")
        precondition(bins > 2 * Self.padding + 1, "too few histogram bins")
        var points: [SIMD3<Double>] = []
        var values: [Float] = []
        var seen = 0
        let shape = fixed.shape
        let last = SIMD3(Double(shape.x - 1), Double(shape.y - 1), Double(shape.z - 1))
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x where mask.voxels[shape.offset(i, j, k)] != 0 {
                    if seen % stride == 0 {
                        let index = pointwiseMin(
                            pointwiseMax(
                                SIMD3(Double(i), Double(j), Double(k)) + Self.jitter(seen, shape: shape), .zero),
                            last)
                        let (x, y, z) = fixed.affine.apply((index.x, index.y, index.z))
                        points.append(SIMD3(x, y, z))
                        values.append(
                            fixed.voxels.withUnsafeBufferPointer { image in
                                Float(Self.trilinear(image.baseAddress!, shape, at: index)?.0 ?? 0)
                            })
                    }
                    seen += 1
                }
            }
        }
        let usable = Double(bins - 2 * Self.padding)
        func binning(_ lowest: Float, _ highest: Float) -> (size: Double, normalisedMinimum: Double) {
            let size = max(Double(highest - lowest), 1e-12) / usable
            return (size, Double(lowest) / size - Double(Self.padding))
        }
        let fixedBinning = binning(values.min() ?? 0, values.max() ?? 1)
        let lastBin = Double(bins - Self.padding - 1)
        self.fixedBins = values.map { value in
            let bin = (Double(value) / fixedBinning.size - fixedBinning.normalisedMinimum).rounded(.down)
            return Int32(min(max(bin, Double(Self.padding)), lastBin))
        }
        let movingBinning = binning(moving.voxels.min() ?? 0, moving.voxels.max() ?? 1)
        self.bins = bins
        self.points = points
        self.moving = moving
        self.worldToMoving = moving.affine.inverse ?? .identity
        self.movingBinSize = movingBinning.size
        self.movingNormalisedMinimum = movingBinning.normalisedMinimum
    }

    /// −MI at `transform`, and its gradient when `withGradient`. Returns nil when no sample lands in
    /// the moving grid (the metric is undefined).
    func evaluate(_ transform: RigidTransform, withGradient: Bool) -> Evaluation? {
        let bins = self.bins
        let sampleCount = points.count
        let chunks = min(max(sampleCount / 2048, 1), ProcessInfo.processInfo.activeProcessorCount * 4)
        let rotationDerivatives = RigidTransform.rotationAndDerivatives(transform.angles).derivatives
        let toMoving = worldToMoving * transform.matrix
        let indexMap = Matrix3(linearPartOf: toMoving)
        let indexOffset = SIMD3(toMoving[0, 3], toMoving[1, 3], toMoving[2, 3])
        let gradientToWorld = Matrix3(linearPartOf: worldToMoving).transposed
        let centre = transform.centre
        // Per sample: the continuous moving bin and ∂(moving bin)/∂μ; NaN marks a sample outside.
        var positions = [Double](repeating: .nan, count: sampleCount)
        var derivatives = [Double](repeating: 0, count: withGradient ? 6 * sampleCount : 0)
        var histograms = [Double](repeating: 0, count: chunks * bins * bins)
        var counts = [Int](repeating: 0, count: 2 * chunks)
        let shape = moving.shape
        let inverseBinSize = 1 / movingBinSize
        let normalisedMinimum = movingNormalisedMinimum
        let highestPosition = Double(bins - Self.padding)
        points.withUnsafeBufferPointer { points in
            fixedBins.withUnsafeBufferPointer { fixedBins in
                moving.voxels.withUnsafeBufferPointer { image in
                    positions.withUnsafeMutableBufferPointer { positions in
                        derivatives.withUnsafeMutableBufferPointer { derivatives in
                            histograms.withUnsafeMutableBufferPointer { histograms in
                                counts.withUnsafeMutableBufferPointer { counts in
                                    parallelRanges(chunks) { chunkRange in
                                        for chunk in chunkRange {
                                            let histogram = histograms.baseAddress! + chunk * bins * bins
                                            var valid = 0
                                            var onForeground = 0
                                            let lower = sampleCount * chunk / chunks
                                            let upper = sampleCount * (chunk + 1) / chunks
                                            for s in lower..<upper {
                                                let point = points[s]
                                                let index = indexMap * point + indexOffset
                                                guard
                                                    let (value, indexGradient) = Self.trilinear(
                                                        image.baseAddress!, shape, at: index)
                                                else { continue }
                                                valid += 1
                                                if value != 0 { onForeground += 1 }
                                                let position = min(
                                                    max(value * inverseBinSize - normalisedMinimum, 0),
                                                    highestPosition)
                                                positions[s] = position
                                                let first = min(Int(position), bins - Self.padding - 1) - 1
                                                let w = CubicBSpline.weights(position - Double(first + 1))
                                                let row = histogram + Int(fixedBins[s]) * bins + first
                                                row[0] += w.0
                                                row[1] += w.1
                                                row[2] += w.2
                                                row[3] += w.3
                                                if withGradient {
                                                    let world = (gradientToWorld * indexGradient) * inverseBinSize
                                                    let offset = point - centre
                                                    let d = derivatives.baseAddress! + 6 * s
                                                    for axis in 0..<3 {
                                                        d[axis] = (world * (rotationDerivatives[axis] * offset)).sum()
                                                    }
                                                    d[3] = world.x
                                                    d[4] = world.y
                                                    d[5] = world.z
                                                }
                                            }
                                            counts[2 * chunk] = valid
                                            counts[2 * chunk + 1] = onForeground
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let valid = (0..<chunks).reduce(0) { $0 + counts[2 * $1] }
        let onForeground = (0..<chunks).reduce(0) { $0 + counts[2 * $1 + 1] }
        guard valid > 0 else { return nil }
        var joint = [Double](repeating: 0, count: bins * bins)
        for chunk in 0..<chunks {
            for index in 0..<(bins * bins) { joint[index] += histograms[chunk * bins * bins + index] }
        }
        let normaliser = 1 / Double(valid)
        for index in joint.indices { joint[index] *= normaliser }
        var fixedMarginal = [Double](repeating: 0, count: bins)
        var movingMarginal = [Double](repeating: 0, count: bins)
        for f in 0..<bins {
            for m in 0..<bins {
                fixedMarginal[f] += joint[f * bins + m]
                movingMarginal[m] += joint[f * bins + m]
            }
        }
        var information = 0.0
        // log(p / p_moving) per bin pair, the weight each histogram change carries in the gradient.
        var logRatio = [Double](repeating: 0, count: bins * bins)
        for f in 0..<bins {
            for m in 0..<bins {
                let p = joint[f * bins + m]
                guard p > 1e-16, movingMarginal[m] > 1e-16, fixedMarginal[f] > 1e-16 else { continue }
                information += p * log(p / (fixedMarginal[f] * movingMarginal[m]))
                logRatio[f * bins + m] = log(p / movingMarginal[m])
            }
        }
        var gradient: [Double] = []
        if withGradient {
            var partial = [Double](repeating: 0, count: 6 * chunks)
            positions.withUnsafeBufferPointer { positions in
                derivatives.withUnsafeBufferPointer { derivatives in
                    logRatio.withUnsafeBufferPointer { logRatio in
                        fixedBins.withUnsafeBufferPointer { fixedBins in
                            partial.withUnsafeMutableBufferPointer { partial in
                                parallelRanges(chunks) { chunkRange in
                                    for chunk in chunkRange {
                                        var sum = [Double](repeating: 0, count: 6)
                                        let lower = sampleCount * chunk / chunks
                                        let upper = sampleCount * (chunk + 1) / chunks
                                        for s in lower..<upper where !positions[s].isNaN {
                                            let position = positions[s]
                                            let first = min(Int(position), bins - Self.padding - 1) - 1
                                            let dw = CubicBSpline.derivativeWeights(position - Double(first + 1))
                                            let row = logRatio.baseAddress! + Int(fixedBins[s]) * bins + first
                                            let weight = dw.0 * row[0] + dw.1 * row[1] + dw.2 * row[2] + dw.3 * row[3]
                                            for p in 0..<6 { sum[p] += weight * derivatives[6 * s + p] }
                                        }
                                        for p in 0..<6 { partial[6 * chunk + p] = sum[p] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            gradient = (0..<6).map { p in
                -normaliser * (0..<chunks).reduce(0) { $0 + partial[6 * $1 + p] }
            }
        }
        return Evaluation(
            value: -information, gradient: gradient, validSamples: valid,
            overlap: Double(onForeground) / Double(max(sampleCount, 1)))
    }

    /// A fixed, pseudo-random offset of up to half a voxel along each axis for the `n`-th mask voxel
    /// (splitmix64 of n), kept inside the grid. Samples on the fixed lattice would meet the moving
    /// lattice at the same few phases at every transform, and trilinear interpolation's smoothing,
    /// which varies with that phase, would pull the optimum towards lattice alignment; ITK jitters
    /// its regular samples for the same reason.
    static func jitter(_ n: Int, shape: GridShape) -> SIMD3<Double> {
        var z = UInt64(n) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let offsets = SIMD3(Double(z & 0xFFFF), Double((z >> 16) & 0xFFFF), Double((z >> 32) & 0xFFFF)) / 65536 - 0.5
        // Axes of one voxel get no offset; elsewhere the interpolant needs a neighbour.
        return offsets * SIMD3(shape.x > 1 ? 0.999 : 0, shape.y > 1 ? 0.999 : 0, shape.z > 1 ? 0.999 : 0)
    }

    /// The trilinear interpolant and its gradient (per voxel index) at a continuous index, or nil
    /// outside the grid (between the first and last voxel centres on each axis).
    @inline(__always)
    static func trilinear(
        _ image: UnsafePointer<Float>, _ shape: GridShape, at index: SIMD3<Double>
    ) -> (Double, SIMD3<Double>)? {
        guard index.x >= 0, index.y >= 0, index.z >= 0, index.x <= Double(shape.x - 1),
            index.y <= Double(shape.y - 1), index.z <= Double(shape.z - 1)
        else { return nil }
        let i = min(Int(index.x), shape.x - 2), j = min(Int(index.y), shape.y - 2), k = min(Int(index.z), shape.z - 2)
        let tx = index.x - Double(i), ty = index.y - Double(j), tz = index.z - Double(k)
        let dy = shape.x, dz = shape.x * shape.y
        let base = image + shape.offset(i, j, k)
        let v000 = Double(base[0]), v100 = Double(base[1])
        let v010 = Double(base[dy]), v110 = Double(base[dy + 1])
        let v001 = Double(base[dz]), v101 = Double(base[dz + 1])
        let v011 = Double(base[dy + dz]), v111 = Double(base[dy + dz + 1])
        let x00 = v000 + tx * (v100 - v000), x10 = v010 + tx * (v110 - v010)
        let x01 = v001 + tx * (v101 - v001), x11 = v011 + tx * (v111 - v011)
        let y0 = x00 + ty * (x10 - x00), y1 = x01 + ty * (x11 - x01)
        let value = y0 + tz * (y1 - y0)
        let dx0 = (v100 - v000) + ty * ((v110 - v010) - (v100 - v000))
        let dx1 = (v101 - v001) + ty * ((v111 - v011) - (v101 - v001))
        let gradient = SIMD3(dx0 + tz * (dx1 - dx0), (x10 - x00) + tz * ((x11 - x01) - (x10 - x00)), y1 - y0)
        return (value, gradient)
    }
}
