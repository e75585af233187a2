import Foundation
import Volume

/// A procedural brain for when the MNI template is not available: an ellipsoidal cerebrum with a
/// folded cortical ribbon, sulci, an interhemispheric fissure, deep grey nuclei and lateral
/// ventricles placed roughly where they lie in MNI space, so the same confounder sites apply.
public enum HeadPhantom {
    /// The phantom's tissue maps on a grid of `spacing` mm.
    public static func atlas(spacing: Double = 1) -> TissueAtlas {
        let step = max(1, spacing)
        let extent = SIMD3(160.0, 200.0, 150.0)
        let shape = GridShape(Int(extent.x / step), Int(extent.y / step), Int(extent.z / step))
        let origin = SIMD3(
            -Double(shape.x - 1) / 2 * step, -Double(shape.y - 1) / 2 * step - 18, -Double(shape.z - 1) / 2 * step + 10)
        var affine = Affine.scaling(step, step, step)
        affine[0, 3] = origin.x
        affine[1, 3] = origin.y
        affine[2, 3] = origin.z
        var gm = [Float](repeating: 0, count: shape.count)
        var wm = [Float](repeating: 0, count: shape.count)
        let centre = SIMD3(0.0, -18, 10)
        let radii = SIMD3(68.0, 86.0, 60.0)
        // Supersampling gives partial-volume fractions at tissue borders.
        let offsets = [-0.25, 0.25].flatMap { a in
            [-0.25, 0.25].flatMap { b in [-0.25, 0.25].map { c in SIMD3(a, b, c) * step } }
        }
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    var grey: Float = 0, white: Float = 0
                    for offset in offsets {
                        let p = origin + SIMD3(Double(i), Double(j), Double(k)) * step + offset
                        switch tissue(at: p, centre: centre, radii: radii) {
                        case .grey: grey += 1
                        case .white: white += 1
                        case .csf, .outside: break
                        }
                    }
                    gm[shape.offset(i, j, k)] = grey / Float(offsets.count)
                    wm[shape.offset(i, j, k)] = white / Float(offsets.count)
                }
            }
        }
        return TissueAtlas.fromParenchyma(
            greyMatter: Volume(shape: shape, affine: affine, voxels: gm),
            whiteMatter: Volume(shape: shape, affine: affine, voxels: wm))
    }

    enum Tissue { case grey, white, csf, outside }

    static func tissue(at p: SIMD3<Double>, centre: SIMD3<Double>, radii: SIMD3<Double>) -> Tissue {
        let q = (p - centre) / radii
        // Flattened base and a narrower frontal pole make the outline less of an ellipsoid.
        let frontal = q.y > 0 ? 1 + 0.12 * q.y : 1.0
        let base = q.z < -0.3 ? 1 + 0.5 * (-0.3 - q.z) : 1.0
        let radius = (SIMD3(q.x * frontal, q.y, q.z * base) * SIMD3(q.x * frontal, q.y, q.z * base)).sum().squareRoot()
        let wobble: Double = 1.3 * sin(p.y * 0.07)
        let foldX: Double = sin(p.x * 0.31 + wobble)
        let foldY: Double = sin(p.y * 0.27 + p.z * 0.05)
        let foldZ: Double = sin(p.z * 0.29 + 0.7)
        let r = radius + 0.035 * foldX * foldY * foldZ
        guard r < 1 else { return .outside }
        if abs(p.x) < 1.2, r > 0.45, q.z > -0.2 { return .csf }
        for side in [-1.0, 1.0] {
            let v = (p - SIMD3(14 * side, -15, 14)) / SIMD3(5.5, 30, 7.5)
            if (v * v).sum() < 1 { return .csf }
            let nucleus = (p - SIMD3(16 * side, -8, 2)) / SIMD3(9, 14, 9)
            if (nucleus * nucleus).sum() < 1 { return .grey }
        }
        if r > 0.965 { return .csf }
        if r > 0.86 {
            let across: Double = sin(p.x * 0.23 + p.z * 0.11)
            let along: Double = sin(p.y * 0.21 - p.x * 0.05)
            let sulcus = across * along
            return sulcus > 0.82 ? .csf : .grey
        }
        return .white
    }
}
