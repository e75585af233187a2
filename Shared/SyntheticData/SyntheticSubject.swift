import Foundation
import SeededRandom
import Volume

/// One synthetic subject: T1c, T2 and the BraTS 2021 label on the subject's acquisition grid.
struct SyntheticSubject: Sendable {
    var t1c: Volume
    var t2: Volume
    var label: LabelVolume
    var subtype: TumorSubtype
    /// The true brain mask (1 inside), for subjects drawn with skull and scalp; nil for
    /// skull-stripped ones, whose nonzero voxels are the brain.
    var brainMask: LabelVolume?
}

/// Draws one subject from the atlas: a smooth random deformation and affine (head size, pose), a
/// tumor of a drawn subtype with edema and mass effect, T1c/T2 contrast from tissue fractions,
/// enhancing confounders (vessels, choroid plexus, dura), partial-volume blur, a bias field and
/// Rician noise, on a grid of varied orientation and spacing; skull-stripped (zero outside the brain),
/// or with `HeadLayers` (skull and scalp) around the brain and noise in the air.
struct SubjectSynthesizer: Sendable {
    let atlas: TissueAtlas
    /// Acquisition voxels are `spacingScale` × 0.9–1.2 mm (one axis up to 1.6× thicker in some).
    let spacingScale: Double
    /// Whether subjects have skull and scalp (drawn after everything else, so the brain, tumor and
    /// contrasts of a subject are the same with or without them).
    var withSkull = false

    static let orientations = ["LPS", "RAS", "LAS", "RPI", "PIR", "LIP", "ASL"]

    /// The subject `index` of the cohort `seed`; `subtype`, when given, replaces the drawn one.
    func synthesize(seed: UInt64, index: Int, subtype forced: TumorSubtype? = nil) -> SyntheticSubject {
        var g = SeededGenerator(seed: seed, stream: UInt64(index))
        let drawn = TumorSubtype.draw(&g)
        let subtype = forced ?? drawn
        var attempt = 0
        while true {
            let subject = draw(subtype: subtype, generator: &g)
            attempt += 1
            // An enhancing subtype whose enhancing part landed outside the brain or between voxels
            // is drawn again, so the target is never empty for these subtypes.
            if !subtype.enhances || subject.label.voxels.contains(4) || attempt == 8 { return subject }
        }
    }

    private func draw(subtype: TumorSubtype, generator g: inout SeededGenerator) -> SyntheticSubject {
        // Acquisition grid.
        var spacing = SIMD3((0..<3).map { _ in spacingScale * g.uniform(0.9...1.2) })
        if g.nextUnitDouble() < 0.3 { spacing[Int(g.nextUnitDouble() * 3)] *= g.uniform(1.25...1.6) }
        let codes = try! AxisCodes(Self.orientations[Int(g.nextUnitDouble() * Double(Self.orientations.count))])

        // Subject world → atlas world: head size, pose, then a smooth deformation. The MNI
        // template's brain (1.7 l of parenchyma) is larger than an average adult's, so subjects are
        // drawn at 84–98% of its linear size.
        let size = g.uniform(0.84...0.98)
        let scales = SIMD3((0..<3).map { _ in size * g.uniform(0.95...1.05) })
        let angles = SIMD3((0..<3).map { _ in g.uniform(-7...7) * .pi / 180 })
        let shift = SIMD3((0..<3).map { _ in g.uniform(-4...4) })
        let toAtlas =
            Self.rotation(angles) * Affine.scaling(1 / scales.x, 1 / scales.y, 1 / scales.z)
            * Affine.translation(shift.x, shift.y, shift.z)
        let fromAtlas = toAtlas.inverse!
        let warp = (0..<6).map { _ in
            (
                axis: Int(g.nextUnitDouble() * 3), wave: g.direction() * (2 * .pi / g.uniform(50...110)),
                phase: g.uniform(0...(2 * .pi)), amplitude: g.uniform(1...2.5)
            )
        }

        // Field of view: the atlas brain box carried into subject space, plus a margin.
        let box = atlas.supportBox
        let centreAtlas = (box.lower + box.upper) / 2
        let centre = fromAtlas.apply((centreAtlas.x, centreAtlas.y, centreAtlas.z))
        var extent = (box.upper - box.lower) * 1.12 + 16
        if withSkull { extent += 2 * HeadLayers.reach }
        var shape = GridShape(1, 1, 1)
        var gridAffine = Affine.identity
        for axis in 0..<3 {
            let world = codes.worldAxes[axis]
            shape[axis] = Int((extent[world] / spacing[axis]).rounded(.up))
            for row in 0..<3 { gridAffine[row, axis] = row == world ? Double(codes.signs[axis]) * spacing[axis] : 0 }
        }
        let middle = gridAffine.apply((Double(shape.x - 1) / 2, Double(shape.y - 1) / 2, Double(shape.z - 1) / 2))
        gridAffine[0, 3] = centre.0 - middle.0
        gridAffine[1, 3] = centre.1 - middle.1
        gridAffine[2, 3] = centre.2 - middle.2

        // Tumor centred in white matter.
        let tumorAtlas = whiteMatterPoint(&g)
        let tumorCentre = fromAtlas.apply((tumorAtlas.x, tumorAtlas.y, tumorAtlas.z))
        let tumor = TumorModel(
            subtype: subtype, centre: SIMD3(tumorCentre.0, tumorCentre.1, tumorCentre.2),
            voxelSize: spacing.max(), generator: &g)

        // Contrast (white matter T1c = 1, CSF T2 = 1), gains, bias fields, noise, blur.
        let t1Tissue = SIMD3(g.uniform(0.68...0.78), g.uniform(0.95...1.05), g.uniform(0.22...0.34))
        let t2Tissue = SIMD3(g.uniform(0.5...0.6), g.uniform(0.38...0.46), g.uniform(0.95...1.05))
        let gains = (g.uniform(600...1400), g.uniform(800...1800))
        let bias = (0..<6).map { _ in
            (
                wave: g.direction() * (2 * .pi / g.uniform(120...260)), phase: g.uniform(0...(2 * .pi)),
                amplitude: g.uniform(0.04...0.09)
            )
        }
        let noise = (g.uniform(0.015...0.035), g.uniform(0.015...0.035))
        let blur = g.uniform(0.08...0.18)
        let heterogeneity = (wave: g.direction() * (2 * .pi / g.uniform(6...12)), phase: g.uniform(0...(2 * .pi)))
        let enhancementMap = confounders(&g)
        let noiseSeed = g.next()
        let head = withSkull ? HeadLayers(generator: &g) : nil
        func biasFields(_ x: SIMD3<Double>) -> (Double, Double) {
            var field1 = 0.0, field2 = 0.0
            for (index, term) in bias.enumerated() {
                let value = term.amplitude * cos((term.wave * x).sum() + term.phase)
                if index % 2 == 0 { field1 += value } else { field2 += value }
            }
            return (field1, field2)
        }

        let count = shape.count
        var t1 = [Float](repeating: 0, count: count)
        var t2 = [Float](repeating: 0, count: count)
        var labels = [UInt8](repeating: 0, count: count)
        var mask = [UInt8](repeating: 0, count: count)
        let atlasInverse = atlas.affine.inverse!
        let maps = [atlas.greyMatter, atlas.whiteMatter, atlas.csf, atlas.support, enhancementMap]
        t1.withUnsafeMutableBufferPointer { t1Out in
            t2.withUnsafeMutableBufferPointer { t2Out in
                labels.withUnsafeMutableBufferPointer { labelOut in
                    mask.withUnsafeMutableBufferPointer { maskOut in
                        parallelRanges(shape.z) { slabs in
                            var values = [Float](repeating: 0, count: maps.count)
                            for k in slabs {
                                for j in 0..<shape.y {
                                    for i in 0..<shape.x {
                                        let w = gridAffine.apply((Double(i), Double(j), Double(k)))
                                        let x = SIMD3(w.0, w.1, w.2)
                                        var p = tumor.displaced(x)
                                        let a = toAtlas.apply((p.x, p.y, p.z))
                                        p = SIMD3(a.0, a.1, a.2)
                                        for term in warp {
                                            p[term.axis] += term.amplitude * sin((term.wave * x).sum() + term.phase)
                                        }
                                        atlas.sample(maps, atWorld: p, inverse: atlasInverse, into: &values)
                                        let offset = shape.offset(i, j, k)
                                        guard values[3] >= 0.5 else { continue }
                                        maskOut[offset] = 1
                                        let tissue = SIMD3(Double(values[0]), Double(values[1]), Double(values[2]))
                                        var v1 = (tissue * t1Tissue).sum() + 0.85 * Double(values[4])
                                        var v2 = (tissue * t2Tissue).sum()
                                        let (label, part) = tumor.label(at: x)
                                        switch (label, part) {
                                        case (4, _):
                                            let texture =
                                                1 + 0.1 * sin((heterogeneity.wave * x).sum() + heterogeneity.phase)
                                            v1 =
                                                (1 + tumor.enhancement * texture)
                                                * (part.map { if case .nodule = $0 { 1.05 } else { 1 } } ?? 1)
                                            v2 = 0.72
                                        case (1, .some(.cyst)): (v1, v2) = (0.22, 1.1)
                                        case (1, .some(.nonEnhancingCore)): (v1, v2) = (0.62, 0.88)
                                        case (1, _): (v1, v2) = (0.35, 1.05)
                                        case (2, _): (v1, v2) = (v1 * 0.88, max(v2, 0.84))
                                        default: break
                                        }
                                        labelOut[offset] = label
                                        let (field1, field2) = biasFields(x)
                                        t1Out[offset] = Float(v1 * gains.0 * exp(field1))
                                        t2Out[offset] = Float(v2 * gains.1 * exp(field2))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let head {
            head.paint(t1: &t1, t2: &t2, brain: mask, shape: shape, affine: gridAffine) { x in
                let (field1, field2) = biasFields(x)
                return (gains.0 * exp(field1), gains.1 * exp(field2))
            }
        }
        t1 = Self.partialVolumeBlur(t1, shape: shape, weight: blur)
        t2 = Self.partialVolumeBlur(t2, shape: shape, weight: blur)
        // A head image has noise in the air around it too.
        let noisy = head == nil ? mask : [UInt8](repeating: 1, count: count)
        Self.addRicianNoise(&t1, mask: noisy, sigma: Float(noise.0 * gains.0), shape: shape, seed: noiseSeed, stream: 0)
        Self.addRicianNoise(&t2, mask: noisy, sigma: Float(noise.1 * gains.1), shape: shape, seed: noiseSeed, stream: 1)
        return SyntheticSubject(
            t1c: Volume(shape: shape, affine: gridAffine, voxels: t1),
            t2: Volume(shape: shape, affine: gridAffine, voxels: t2),
            label: LabelVolume(shape: shape, affine: gridAffine, voxels: labels), subtype: subtype,
            brainMask: head == nil ? nil : LabelVolume(shape: shape, affine: gridAffine, voxels: mask))
    }

    /// A random atlas point with mostly white matter.
    private func whiteMatterPoint(_ g: inout SeededGenerator) -> SIMD3<Double> {
        var fallback = SIMD3(0.0, 0, 0)
        for attempt in 0..<2000 {
            let index = Int(g.nextUnitDouble() * Double(atlas.shape.count))
            guard atlas.whiteMatter[index] > 0.6 else { continue }
            let i = index % atlas.shape.x, j = (index / atlas.shape.x) % atlas.shape.y,
                k = index / (atlas.shape.x * atlas.shape.y)
            let p = atlas.affine.apply((Double(i), Double(j), Double(k)))
            fallback = SIMD3(p.0, p.1, p.2)
            // Keep tumors off the far periphery so most of them stay inside the brain.
            if attempt > 200 || abs(p.0) < 50 { return fallback }
        }
        return fallback
    }

    /// Enhancement (0...1) on the atlas grid: patchy dura, vessels, choroid plexus.
    private func confounders(_ g: inout SeededGenerator) -> [Float] {
        let shape = atlas.shape
        let duraLevel = g.uniform(0.2...0.7)
        let patch = (g.direction() * 0.15, g.direction() * 0.12, g.uniform(0...(2 * .pi)))
        var map = [Float](repeating: 0, count: shape.count)
        map.withUnsafeMutableBufferPointer { buffer in
            parallelRanges(shape.z) { slabs in
                for k in slabs {
                    for j in 0..<shape.y {
                        for i in 0..<shape.x where atlas.dura[shape.offset(i, j, k)] > 0 {
                            let p = atlas.affine.apply((Double(i), Double(j), Double(k)))
                            let q = SIMD3(p.0, p.1, p.2)
                            let patchiness = 0.65 + 0.35 * sin((patch.0 * q).sum() + patch.2) * sin((patch.1 * q).sum())
                            buffer[shape.offset(i, j, k)] = Float(duraLevel * patchiness)
                        }
                    }
                }
            }
        }
        let inverse = atlas.affine.inverse!
        func stamp(_ centre: SIMD3<Double>, radius: Double, level: Double, insideCSF: Bool) {
            let c = inverse.apply((centre.x, centre.y, centre.z))
            let step = atlas.affine.spacing.x
            let reach = Int((radius / step).rounded(.up)) + 1
            let lower = SIMD3(max(0, Int(c.0) - reach), max(0, Int(c.1) - reach), max(0, Int(c.2) - reach))
            let upper = SIMD3(
                min(shape.x - 1, Int(c.0) + reach), min(shape.y - 1, Int(c.1) + reach),
                min(shape.z - 1, Int(c.2) + reach))
            guard lower.x <= upper.x, lower.y <= upper.y, lower.z <= upper.z else { return }
            for k in lower.z...upper.z {
                for j in lower.y...upper.y {
                    for i in lower.x...upper.x {
                        let d = SIMD3(Double(i) - c.0, Double(j) - c.1, Double(k) - c.2) * step
                        let r = (d * d).sum().squareRoot()
                        guard r < radius + step else { continue }
                        let offset = shape.offset(i, j, k)
                        if insideCSF && atlas.csf[offset] < 0.3 { continue }
                        let value = Float(level * min(1, max(0, (radius + step - r) / step)))
                        map[offset] = max(map[offset], value)
                    }
                }
            }
        }
        for _ in 0..<(5 + Int(g.nextUnitDouble() * 6)) {
            var point = whiteMatterPoint(&g) + g.direction() * g.uniform(5...30)
            var heading = g.direction()
            let radius = max(g.uniform(0.5...1.2), 0.35 * atlas.affine.spacing.x)
            let level = g.uniform(0.5...0.9)
            let length = g.uniform(25...70)
            var travelled = 0.0
            while travelled < length {
                stamp(point, radius: radius, level: level, insideCSF: false)
                heading = heading + g.direction() * 0.25
                heading /= (heading * heading).sum().squareRoot()
                point += heading * 0.8
                travelled += 0.8
            }
        }
        let choroidLevel = g.uniform(0.4...0.9)
        for site in atlas.choroidSites {
            stamp(site, radius: g.uniform(3...5), level: choroidLevel, insideCSF: true)
        }
        return map
    }

    /// Rotation about x, then y, then z (radians).
    static func rotation(_ angles: SIMD3<Double>) -> Affine {
        let (cx, sx, cy, sy, cz, sz) = (
            cos(angles.x), sin(angles.x), cos(angles.y), sin(angles.y), cos(angles.z), sin(angles.z)
        )
        let rx = Affine(rows: [[1, 0, 0, 0], [0, cx, -sx, 0], [0, sx, cx, 0], [0, 0, 0, 1]])
        let ry = Affine(rows: [[cy, 0, sy, 0], [0, 1, 0, 0], [-sy, 0, cy, 0], [0, 0, 0, 1]])
        let rz = Affine(rows: [[cz, -sz, 0, 0], [sz, cz, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
        return rz * ry * rx
    }

    /// A separable [w, 1 − 2w, w] blur along each axis: the scanner's point spread, which mixes
    /// tissue at borders (partial volume).
    static func partialVolumeBlur(_ voxels: [Float], shape: GridShape, weight: Double) -> [Float] {
        var data = voxels
        let w = Float(weight), centre = 1 - 2 * Float(weight)
        for axis in 0..<3 {
            let layout = AxisLayout(shape, axis: axis)
            guard layout.count > 2 else { continue }
            let source = data
            source.withUnsafeBufferPointer { input in
                data.withUnsafeMutableBufferPointer { output in
                    parallelRanges(layout.outer) { blocks in
                        for outer in blocks {
                            for q in 0..<layout.inner {
                                let base = outer * layout.count * layout.inner + q
                                for i in 0..<layout.count {
                                    let previous = input[base + max(i - 1, 0) * layout.inner]
                                    let next = input[base + min(i + 1, layout.count - 1) * layout.inner]
                                    output[base + i * layout.inner] =
                                        w * previous + centre * input[base + i * layout.inner] + w * next
                                }
                            }
                        }
                    }
                }
            }
        }
        return data
    }

    /// Magnitude of the signal plus complex Gaussian noise (Rician), inside the brain; zero outside,
    /// as in skull-stripped BraTS images. Each slab has its own stream, so the result does not
    /// depend on how slabs are spread over threads.
    static func addRicianNoise(
        _ voxels: inout [Float], mask: [UInt8], sigma: Float, shape: GridShape, seed: UInt64, stream: UInt64
    ) {
        let slab = shape.x * shape.y
        voxels.withUnsafeMutableBufferPointer { buffer in
            parallelRanges(shape.z) { slabs in
                for k in slabs {
                    var generator = SeededGenerator(seed: seed &+ stream, stream: UInt64(k))
                    for offset in (k * slab)..<((k + 1) * slab) {
                        guard mask[offset] != 0 else {
                            buffer[offset] = 0
                            continue
                        }
                        let real = buffer[offset] + sigma * Float(generator.nextGaussian())
                        let imaginary = sigma * Float(generator.nextGaussian())
                        buffer[offset] = (real * real + imaginary * imaginary).squareRoot()
                    }
                }
            }
        }
    }
}
