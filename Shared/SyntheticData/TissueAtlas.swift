import Foundation
import Volume

/// Tissue fractions on a regular RAS+ grid (1 mm or coarser): the anatomy synthetic subjects are
/// warped from. Grey matter, white matter and CSF are fractions in [0, 1]; `support` is the
/// skull-stripped brain (BraTS convention: a thin CSF rim included) and `dura` its outer shell,
/// where meningeal enhancement appears on T1c.
public struct TissueAtlas: Sendable {
    public let shape: GridShape
    /// Voxel index to atlas world (mm), axis-aligned.
    public let affine: Affine
    let greyMatter: [Float]
    let whiteMatter: [Float]
    let csf: [Float]
    let support: [Float]
    let dura: [Float]
    /// Atlas points inside the lateral ventricles' atria, where the choroid plexus enhances.
    let choroidSites: [SIMD3<Double>]

    /// The tissue maps among the files `scripts/fetch-template` writes (it also fetches the T1
    /// template, for viewing the anatomy; contrasts are made from the tissue fractions).
    public static let templateFiles = (
        greyMatter: "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz",
        whiteMatter: "mni_icbm152_wm_tal_nlin_sym_09a_converted.nii.gz"
    )

    /// The MNI ICBM152 2009a template's tissue maps, block-averaged to about `spacing` mm.
    public static func template(folder: URL, spacing: Double = 1) throws(VolumeError) -> TissueAtlas {
        let gmURL = folder.appendingPathComponent(templateFiles.greyMatter)
        let wmURL = folder.appendingPathComponent(templateFiles.whiteMatter)
        for url in [gmURL, wmURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw VolumeError(
                .missingTemplate, file: url.path,
                detail: "the MNI ICBM152 2009a template is not there; run scripts/fetch-template or choose the phantom")
        }
        var gm = try NIfTI.readImage(at: gmURL, requireContent: false)
        var wm = try NIfTI.readImage(at: wmURL, requireContent: false)
        guard gm.hasSameGrid(as: wm) else {
            throw VolumeError(.gridMismatch, file: wmURL.path, detail: "grey and white matter maps differ in grid")
        }
        // The converted maps are stored as 0...255.
        let scale = max(gm.voxels.max() ?? 1, wm.voxels.max() ?? 1) > 1.5 ? Float(1.0 / 255) : 1
        gm.voxels = gm.voxels.map { $0 * scale }
        wm.voxels = wm.voxels.map { $0 * scale }
        gm = try gm.reoriented(to: .ras)
        wm = try wm.reoriented(to: .ras)
        let factor = max(1, Int(spacing.rounded()))
        return fromParenchyma(greyMatter: blockAverage(gm, factor), whiteMatter: blockAverage(wm, factor))
    }

    /// Builds CSF, support and dura from grey and white matter: the brain is the parenchyma closed
    /// over about 4 mm (sealing the channels from ventricles and cisterns to the outside) with its
    /// holes filled, widened by about 2 mm of CSF; the dura is its outer 1 mm.
    static func fromParenchyma(greyMatter gm: Volume, whiteMatter wm: Volume) -> TissueAtlas {
        let shape = gm.shape
        let step = gm.spacing.x
        let parenchyma = zip(gm.voxels, wm.voxels).map { min($0 + $1, 1) }
        let closing = max(1, Int((4 / step).rounded()))
        let dilated = dilate(parenchyma.map { $0 > 0.3 }, shape: shape, steps: closing)
        let closed = dilate(dilated.map { !$0 }, shape: shape, steps: closing).map { !$0 }
        let brain = BrainMask.filledHoles(closed, shape: shape)
        let rim = max(1, Int((2 / step).rounded()))
        let support = dilate(brain, shape: shape, steps: rim)
        let inner = dilate(brain, shape: shape, steps: max(rim - 1, 0))
        var csf = [Float](repeating: 0, count: shape.count)
        var dura = [Float](repeating: 0, count: shape.count)
        for index in csf.indices where support[index] {
            csf[index] = 1 - parenchyma[index]
            if !inner[index] { dura[index] = 1 }
        }
        let atlas = TissueAtlas(
            shape: shape, affine: gm.affine, greyMatter: gm.voxels, whiteMatter: wm.voxels, csf: csf,
            support: support.map { $0 ? 1 : 0 }, dura: dura, choroidSites: [])
        return atlas.withChoroidSites()
    }

    /// Fractions at an atlas world point by trilinear interpolation (zero outside the grid).
    @inline(__always)
    func sample(_ maps: [[Float]], atWorld point: SIMD3<Double>, inverse: Affine, into values: inout [Float]) {
        let (x, y, z) = inverse.apply((point.x, point.y, point.z))
        for index in values.indices { values[index] = 0 }
        let fx = x.rounded(.down), fy = y.rounded(.down), fz = z.rounded(.down)
        let i0 = Int(fx), j0 = Int(fy), k0 = Int(fz)
        guard i0 >= 0, j0 >= 0, k0 >= 0, i0 + 1 < shape.x, j0 + 1 < shape.y, k0 + 1 < shape.z else { return }
        let tx = Float(x - fx), ty = Float(y - fy), tz = Float(z - fz)
        let base = shape.offset(i0, j0, k0)
        let dy = shape.x, dz = shape.x * shape.y
        for (m, map) in maps.enumerated() {
            map.withUnsafeBufferPointer { v in
                let c00 = v[base] + tx * (v[base + 1] - v[base])
                let c10 = v[base + dy] + tx * (v[base + dy + 1] - v[base + dy])
                let c01 = v[base + dz] + tx * (v[base + dz + 1] - v[base + dz])
                let c11 = v[base + dy + dz] + tx * (v[base + dy + dz + 1] - v[base + dy + dz])
                let c0 = c00 + ty * (c10 - c00), c1 = c01 + ty * (c11 - c01)
                values[m] = c0 + tz * (c1 - c0)
            }
        }
    }

    /// The world box (mm) holding the support.
    var supportBox: (lower: SIMD3<Double>, upper: SIMD3<Double>) {
        let mask = LabelVolume(shape: shape, affine: affine, voxels: support.map { $0 > 0.5 ? 1 : 0 })
        let box = BrainMask.boundingBox(mask) ?? (SIMD3(0, 0, 0), SIMD3(shape.x, shape.y, shape.z))
        let low = affine.apply((Double(box.lower.x), Double(box.lower.y), Double(box.lower.z)))
        let high = affine.apply((Double(box.upper.x - 1), Double(box.upper.y - 1), Double(box.upper.z - 1)))
        return (
            SIMD3(min(low.0, high.0), min(low.1, high.1), min(low.2, high.2)),
            SIMD3(max(low.0, high.0), max(low.1, high.1), max(low.2, high.2))
        )
    }

    /// Ventricle points near each atrium (about (±20, −38, 14) mm in MNI space) with mostly CSF.
    private func withChoroidSites() -> TissueAtlas {
        guard let inverse = affine.inverse else { return self }
        var sites: [SIMD3<Double>] = []
        for side in [-1.0, 1.0] {
            let centre = SIMD3(20 * side, -38, 14)
            var best: (score: Double, point: SIMD3<Double>)?
            var values = [Float](repeating: 0, count: 2)
            for dz in stride(from: -12.0, through: 12, by: 2) {
                for dy in stride(from: -12.0, through: 12, by: 2) {
                    for dx in stride(from: -12.0, through: 12, by: 2) {
                        let point = centre + SIMD3(dx, dy, dz)
                        sample([csf, support], atWorld: point, inverse: inverse, into: &values)
                        guard values[0] > 0.6, values[1] > 0.5 else { continue }
                        let score = Double(values[0]) - ((point - centre) * (point - centre)).sum().squareRoot() / 100
                        if best == nil || score > best!.score { best = (score, point) }
                    }
                }
            }
            if let best { sites.append(best.point) }
        }
        return TissueAtlas(
            shape: shape, affine: affine, greyMatter: greyMatter, whiteMatter: whiteMatter, csf: csf,
            support: support, dura: dura, choroidSites: sites)
    }

    private static func blockAverage(_ volume: Volume, _ factor: Int) -> Volume {
        guard factor > 1 else { return volume }
        let old = volume.shape
        let shape = GridShape(old.x / factor, old.y / factor, old.z / factor)
        var voxels = [Float](repeating: 0, count: shape.count)
        let weight = 1 / Float(factor * factor * factor)
        for k in 0..<(shape.z * factor) {
            for j in 0..<(shape.y * factor) {
                for i in 0..<(shape.x * factor) {
                    voxels[shape.offset(i / factor, j / factor, k / factor)] +=
                        volume.voxels[old.offset(i, j, k)] * weight
                }
            }
        }
        // Centre of block (0, 0, 0) is old index (factor − 1)/2 along each axis.
        let offset = Double(factor - 1) / 2
        let newToOld = Affine(rows: [
            [Double(factor), 0, 0, offset], [0, Double(factor), 0, offset],
            [0, 0, Double(factor), offset], [0, 0, 0, 1],
        ])
        return Volume(shape: shape, affine: volume.affine * newToOld, voxels: voxels)
    }

    /// The mask grown by `steps` voxels (6-connectivity per step).
    static func dilate(_ mask: [Bool], shape: GridShape, steps: Int) -> [Bool] {
        var current = mask
        for _ in 0..<steps {
            var next = current
            for k in 0..<shape.z {
                for j in 0..<shape.y {
                    for i in 0..<shape.x where !current[shape.offset(i, j, k)] {
                        if (i > 0 && current[shape.offset(i - 1, j, k)])
                            || (i + 1 < shape.x && current[shape.offset(i + 1, j, k)])
                            || (j > 0 && current[shape.offset(i, j - 1, k)])
                            || (j + 1 < shape.y && current[shape.offset(i, j + 1, k)])
                            || (k > 0 && current[shape.offset(i, j, k - 1)])
                            || (k + 1 < shape.z && current[shape.offset(i, j, k + 1)])
                        {
                            next[shape.offset(i, j, k)] = true
                        }
                    }
                }
            }
            current = next
        }
        return current
    }
}
