import Foundation

/// Brain extraction from a head image, after FSL's BET (S. M. Smith, "Fast robust automated brain
/// extraction", Human Brain Mapping 17, 2002).
///
/// BraTS images come skull-stripped, but a scanner's images do not, and the preprocessor's nonzero
/// brain mask is then the whole head. BET suits this: it needs no atlas and no training, and its
/// smooth surface bridges sulci and tumours that a threshold would cut. The steps, as in the paper:
///
/// 1. the robust intensity range t2 (2nd percentile) and t98 (98th); the threshold
///    t = t2 + 0.1 (t98 − t2) separates the head from the background;
/// 2. the centre of gravity of the voxels above t (weighted by intensity clamped at t98), the head's
///    radius from their volume, and tm, the median intensity inside that sphere;
/// 3. a tessellated sphere of half that radius, deformed for a fixed number of iterations by three
///    updates per vertex: the tangential part of the pull towards its neighbours' mean (even spacing);
///    the normal part of it, weighted by a sigmoid of the local curvature (smoothness); and a step
///    along the normal driven by the intensities under the vertex (outward while the minimum along
///    the inward normal is above a local threshold, inward otherwise);
/// 4. a surface that folded onto itself is grown again with a stiffer smoothness term in the first
///    three quarters of the iterations;
/// 5. the surface filled to a voxel mask.
///
/// With a T2 image the surface is deformed on T2: cerebrospinal fluid is bright there and bone dark,
/// so the inner table of the skull is the strongest edge, the brain mask takes the CSF around the
/// brain as BraTS masks do, and tumours (bright on T2 whatever they do on T1c) do not pull it in.
/// On T1 alone CSF and bone are both dark and the surface stops at the brain's own edge, a
/// millimetre or two inside.
public enum SkullStripping {
    /// BET's parameters; the defaults are the paper's except where noted.
    public struct Configuration: Hashable, Sendable {
        /// b_t in the paper (0...1): the fraction between t2 and the local maximum where the brain's
        /// edge is taken; smaller gives larger masks. The paper's default is 0.5, which on T2 left
        /// synthetic heads' masks about a millimetre too wide; 0.6 stays well clear of the level where
        /// the threshold reaches white matter's T2 signal and the surface collapses (0.9 there).
        public var fractionalThreshold: Double
        /// Deformation iterations (the paper: 1000).
        public var iterations: Int
        /// Subdivisions of the icosahedron: 4 gives 2,562 vertices, an edge of about 5 mm on a brain.
        public var subdivisions: Int
        /// How far inside the surface (mm) the minimum intensity is looked for (d1 = 20 mm); the
        /// maximum is looked for over half of it (d2).
        public var searchDepth: Double
        /// Radii of curvature (mm) below which the surface is smoothed fully, and above which not at
        /// all (the paper: 3.33 and 10).
        public var curvatureRadii: ClosedRange<Double>
        /// How many times a self-intersecting surface is grown again, each time stiffer.
        public var retries: Int
        /// Brain volumes (litres, CSF around the brain included) that are accepted; a mask outside is
        /// `.implausibleBrainVolume`. Adult intracranial volumes lie within about 1.1–2.1 l; the
        /// margin above keeps the largest synthetic heads (MNI-sized brains, up to 2.1 l) in.
        public var plausibleVolume: ClosedRange<Double>

        public init(
            fractionalThreshold: Double = 0.6, iterations: Int = 1000, subdivisions: Int = 4,
            searchDepth: Double = 20, curvatureRadii: ClosedRange<Double> = 3.33...10, retries: Int = 3,
            plausibleVolume: ClosedRange<Double> = 0.8...2.4
        ) {
            self.fractionalThreshold = fractionalThreshold
            self.iterations = iterations
            self.subdivisions = subdivisions
            self.searchDepth = searchDepth
            self.curvatureRadii = curvatureRadii
            self.retries = retries
            self.plausibleVolume = plausibleVolume
        }
    }

    /// The brain mask and the images with everything outside it set to zero.
    public struct Result: Sendable {
        public var brainMask: LabelVolume
        public var t1: Volume
        public var t2: Volume?
        /// The mask's volume in litres.
        public var brainVolume: Double
    }

    /// Extracts the brain from `t1` (and `t2`, which must share its grid when given).
    public static func strip(
        t1: Volume, t2: Volume? = nil, caseID: String? = nil, configuration: Configuration = Configuration()
    ) throws(VolumeError) -> Result {
        if let t2, !t2.hasSameGrid(as: t1) {
            throw VolumeError(
                .gridMismatch, caseID: caseID,
                detail: "T2 grid \(t2.shape) differs from T1 grid \(t1.shape) or its affine")
        }
        let mask = try brainMask(of: t2 ?? t1, caseID: caseID, configuration: configuration)
        let spacing = t1.spacing
        let litres = Double(mask.foregroundVoxels) * spacing.x * spacing.y * spacing.z / 1e6
        guard configuration.plausibleVolume.contains(litres) else {
            let shown = (litres * 1000).rounded() / 1000
            throw VolumeError(
                .implausibleBrainVolume, caseID: caseID,
                detail:
                    "the brain mask holds \(shown) l, outside \(configuration.plausibleVolume.lowerBound)–\(configuration.plausibleVolume.upperBound) l"
            )
        }
        func masked(_ image: Volume) -> Volume {
            Volume(
                shape: image.shape, affine: image.affine,
                voxels: zip(image.voxels, mask.voxels).map { $1 != 0 ? $0 : 0 })
        }
        return Result(brainMask: mask, t1: masked(t1), t2: t2.map(masked), brainVolume: litres)
    }

    /// The filled surface on `image`'s grid (steps 1–5 above).
    static func brainMask(
        of image: Volume, caseID: String?, configuration: Configuration
    ) throws(VolumeError)
        -> LabelVolume
    {
        let head = try HeadEstimate(image, caseID: caseID)
        var stiffening = 0
        while true {
            let surface = deformedSurface(on: image, head: head, configuration: configuration, stiffening: stiffening)
            if !surface.foldsOntoItself() {
                let inside = surface.filledMask(shape: image.shape, affine: image.affine)
                return LabelVolume(shape: image.shape, affine: image.affine, voxels: inside.map { $0 ? 1 : 0 })
            }
            stiffening += 1
            guard stiffening <= configuration.retries else {
                throw VolumeError(
                    .selfIntersectingSurface, caseID: caseID,
                    detail: "the brain surface still folds onto itself after \(configuration.retries) stiffer tries")
            }
        }
    }

    /// The paper's initial estimates from the image's histogram and its bright voxels.
    struct HeadEstimate {
        var t2: Double
        var t98: Double
        var threshold: Double
        var median: Double
        var centre: SIMD3<Double>
        var radius: Double

        init(_ image: Volume, caseID: String?) throws(VolumeError) {
            let count = image.voxels.count
            var sample = stride(from: 0, to: count, by: max(1, count / 1_000_000)).map { image.voxels[$0] }
            sample.sort()
            t2 = Double(sample[Int(0.02 * Double(sample.count - 1))])
            t98 = Double(sample[Int(0.98 * Double(sample.count - 1))])
            guard t98 > t2, t2.isFinite, t98.isFinite else {
                throw VolumeError(
                    .noHead, caseID: caseID, detail: "the image has no intensity range (2nd and 98th percentiles equal)"
                )
            }
            threshold = t2 + 0.1 * (t98 - t2)
            let shape = image.shape
            var border = 0, brightBorder = 0
            var weighted = SIMD3<Double>(0, 0, 0), weight = 0.0, bright = 0
            for k in 0..<shape.z {
                for j in 0..<shape.y {
                    for i in 0..<shape.x {
                        let value = Double(image.voxels[shape.offset(i, j, k)])
                        let onBorder =
                            i == 0 || j == 0 || k == 0 || i == shape.x - 1 || j == shape.y - 1 || k == shape.z - 1
                        if onBorder { border += 1 }
                        guard value > threshold else { continue }
                        if onBorder { brightBorder += 1 }
                        let w = min(value, t98)
                        weighted += SIMD3(Double(i), Double(j), Double(k)) * w
                        weight += w
                        bright += 1
                    }
                }
            }
            // A head lies in a dark background; noise, or a field of view filled edge to edge, has none.
            guard Double(brightBorder) < 0.5 * Double(border) else {
                let percent = (100 * Double(brightBorder) / Double(border)).rounded()
                throw VolumeError(
                    .noHead, caseID: caseID,
                    detail: "\(percent)% of the grid's border is above the head threshold: no background around a head")
            }
            let spacing = image.spacing
            let volume = Double(bright) * spacing.x * spacing.y * spacing.z
            let index = weighted / weight
            let world = image.affine.apply((index.x, index.y, index.z))
            centre = SIMD3(world.0, world.1, world.2)
            radius = cbrt(3 * volume / (4 * .pi))
            var inside: [Float] = []
            let reach = SIMD3(radius / spacing.x, radius / spacing.y, radius / spacing.z)
            for k in max(0, Int(index.z - reach.z))..<min(shape.z, Int(index.z + reach.z) + 1) {
                for j in max(0, Int(index.y - reach.y))..<min(shape.y, Int(index.y + reach.y) + 1) {
                    for i in max(0, Int(index.x - reach.x))..<min(shape.x, Int(index.x + reach.x) + 1) {
                        let d = (SIMD3(Double(i), Double(j), Double(k)) - index) * spacing
                        let value = image.voxels[shape.offset(i, j, k)]
                        if (d * d).sum() <= radius * radius, Double(value) >= t2, Double(value) <= t98 {
                            inside.append(value)
                        }
                    }
                }
            }
            guard !inside.isEmpty else {
                throw VolumeError(
                    .noHead, caseID: caseID, detail: "no voxels above the background near the head's centre")
            }
            inside.sort()
            median = Double(inside[inside.count / 2])
        }
    }

    /// The sphere of half the head's radius deformed by BET's three updates. `stiffening` > 0 raises
    /// the curvature radii the smoothness term acts on during the first 75% of the iterations.
    static func deformedSurface(
        on image: Volume, head: HeadEstimate, configuration: Configuration, stiffening: Int
    ) -> SurfaceMesh {
        var mesh = SurfaceMesh.sphere(subdivisions: configuration.subdivisions)
        mesh.vertices = mesh.vertices.map { head.centre + $0 * (head.radius / 2) }
        let sampler = TrilinearSampler(image)
        let step = min(image.spacing.x, image.spacing.y, image.spacing.z)
        let inwardSamples = max(1, Int((configuration.searchDepth / step).rounded()))
        let maximumSamples = max(1, inwardSamples / 2)
        let (t2, tm, t) = (head.t2, head.median, head.threshold)
        let bt = configuration.fractionalThreshold
        var next = mesh.vertices
        for iteration in 0..<configuration.iterations {
            let stiff = stiffening > 0 && iteration < configuration.iterations * 3 / 4
            let scale = stiff ? pow(2, Double(stiffening)) : 1
            let rMin = configuration.curvatureRadii.lowerBound * scale
            let rMax = configuration.curvatureRadii.upperBound * scale
            let e = (1 / rMin + 1 / rMax) / 2, f = 6 / (1 / rMin - 1 / rMax)
            let normals = mesh.vertexNormals()
            let l = mesh.meanEdgeLength
            let current = mesh
            next.withUnsafeMutableBufferPointer { output in
                parallelRanges(current.vertices.count) { range in
                    for index in range {
                        let p = current.vertices[index], n = normals[index]
                        let others = current.neighbours[index]
                        var mean = SIMD3<Double>(0, 0, 0)
                        for other in others { mean += current.vertices[other] }
                        let s = mean / Double(others.count) - p
                        let sn = (s * n).sum()
                        let normalPart = n * sn
                        let tangential = s - normalPart
                        let inverseRadius = 2 * abs(sn) / (l * l)
                        let f2 = (1 + tanh(f * (inverseRadius - e))) / 2
                        let profile = sampler.inwardProfile(
                            from: p, normal: n, step: step, samples: inwardSamples, nearSamples: maximumSamples)
                        let minimum = max(t2, min(tm, profile.minimum))
                        let maximum = min(tm, max(t, profile.nearMaximum))
                        let local = (maximum - t2) * bt + t2
                        let f3 = maximum > t2 ? 2 * (minimum - local) / (maximum - t2) : -1
                        output[index] = p + 0.5 * tangential + f2 * normalPart + 0.05 * f3 * l * n
                    }
                }
            }
            mesh.vertices = next
        }
        return mesh
    }
}

/// Trilinear interpolation of an image along lines in world space, zero outside the grid.
struct TrilinearSampler {
    let voxels: [Float]
    let shape: GridShape
    /// World to voxel index: rows of the inverse affine's linear part and its translation.
    let row0: SIMD4<Double>, row1: SIMD4<Double>, row2: SIMD4<Double>

    init(_ image: Volume) {
        voxels = image.voxels
        shape = image.shape
        let m = image.affine.inverse ?? .identity
        row0 = SIMD4(m[0, 0], m[0, 1], m[0, 2], m[0, 3])
        row1 = SIMD4(m[1, 0], m[1, 1], m[1, 2], m[1, 3])
        row2 = SIMD4(m[2, 0], m[2, 1], m[2, 2], m[2, 3])
    }

    /// The smallest intensity at `samples` + 1 points from `point` inward (against `normal`) every
    /// `step` mm, and the largest over the first `nearSamples` + 1 of them: BET's I_min and I_max
    /// before clamping. Scalar arithmetic on the voxel grid, as this is the inner loop of the fit.
    func inwardProfile(
        from point: SIMD3<Double>, normal: SIMD3<Double>, step: Double, samples: Int, nearSamples: Int
    )
        -> (minimum: Double, nearMaximum: Double)
    {
        let start = SIMD4(point.x, point.y, point.z, 1), direction = SIMD4(-normal.x, -normal.y, -normal.z, 0) * step
        let x0 = (row0 * start).sum(), y0 = (row1 * start).sum(), z0 = (row2 * start).sum()
        let dx = (row0 * direction).sum(), dy = (row1 * direction).sum(), dz = (row2 * direction).sum()
        let (nx, ny, nz) = (shape.x, shape.y, shape.z)
        let strideY = nx, strideZ = nx * ny
        var minimum = Double.infinity, nearMaximum = -Double.infinity
        voxels.withUnsafeBufferPointer { v in
            for sample in 0...samples {
                let x = x0 + Double(sample) * dx, y = y0 + Double(sample) * dy, z = z0 + Double(sample) * dz
                let fx = x.rounded(.down), fy = y.rounded(.down), fz = z.rounded(.down)
                let i = Int(fx), j = Int(fy), k = Int(fz)
                var value = 0.0
                if i >= 0, j >= 0, k >= 0, i + 1 < nx, j + 1 < ny, k + 1 < nz {
                    let tx = x - fx, ty = y - fy, tz = z - fz
                    let b = i + strideY * j + strideZ * k
                    let c00 = Double(v[b]) + tx * Double(v[b + 1] - v[b])
                    let c10 = Double(v[b + strideY]) + tx * Double(v[b + strideY + 1] - v[b + strideY])
                    let c01 = Double(v[b + strideZ]) + tx * Double(v[b + strideZ + 1] - v[b + strideZ])
                    let c11 =
                        Double(v[b + strideY + strideZ])
                        + tx * Double(v[b + strideY + strideZ + 1] - v[b + strideY + strideZ])
                    let c0 = c00 + ty * (c10 - c00), c1 = c01 + ty * (c11 - c01)
                    value = c0 + tz * (c1 - c0)
                }
                minimum = min(minimum, value)
                if sample <= nearSamples { nearMaximum = max(nearMaximum, value) }
            }
        }
        return (minimum, nearMaximum)
    }
}
