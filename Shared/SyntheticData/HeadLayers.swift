import Foundation
import SeededRandom
import Statistics
import Volume

/// Skull and scalp around a synthetic brain, for subjects that are not skull-stripped.
///
/// The brain mask (the atlas support: parenchyma and the CSF around it, the intracranial volume a
/// BraTS mask holds) is wrapped, by depth outside it, in cortical bone, subcutaneous fat and skin,
/// each of a drawn thickness that varies smoothly over the head. Contrasts follow the tissues: bone
/// has almost no signal on either; fat is the brightest tissue on T1 and moderately bright on T2; skin
/// and muscle sit between. (The CSF layer is the brain mask's rim: dark on T1, bright on T2.) Marrow,
/// the face and the neck are not modelled: the head is a closed shell.
struct HeadLayers: Sendable {
    /// The most the layers reach beyond the brain (mm); the field of view grows by this on each side.
    static let reach = 20.0

    var skull: Double
    var fat: Double
    var skin: Double
    /// A smooth ±25% change of every thickness over the head.
    var variation: (wave: SIMD3<Double>, phase: Double)
    /// Signal relative to white matter on T1c and to CSF on T2, as the brain's contrasts.
    var t1: (skull: Double, fat: Double, skin: Double)
    var t2: (skull: Double, fat: Double, skin: Double)

    init(generator g: inout SeededGenerator) {
        skull = g.uniform(4...7)
        fat = g.uniform(3...6)
        skin = g.uniform(1.5...2.5)
        variation = (g.direction() * (2 * .pi / g.uniform(90...160)), g.uniform(0...(2 * .pi)))
        t1 = (g.uniform(0.04...0.09), g.uniform(1.1...1.3), g.uniform(0.55...0.7))
        t2 = (g.uniform(0.03...0.07), g.uniform(0.55...0.7), g.uniform(0.3...0.4))
    }

    /// T1c and T2 signal (before gain and bias) `depth` mm outside the brain at world point `x`;
    /// nil in the air beyond the skin.
    func signal(depth: Double, at x: SIMD3<Double>) -> (t1: Double, t2: Double)? {
        let scale = 1 + 0.25 * sin((variation.wave * x).sum() + variation.phase)
        if depth <= skull * scale { return (t1.skull, t2.skull) }
        if depth <= (skull + fat) * scale { return (t1.fat, t2.fat) }
        if depth <= (skull + fat + skin) * scale { return (t1.skin, t2.skin) }
        return nil
    }

    /// Paints the layers into the voxels outside `brain` (1 inside): depth is the distance to the
    /// nearest brain voxel less half a voxel, so the bone begins at the mask's edge. `signalScale`
    /// gives each point's gain times bias field for T1c and T2.
    func paint(
        t1 t1Voxels: inout [Float], t2 t2Voxels: inout [Float], brain: [UInt8], shape: GridShape, affine: Affine,
        signalScale: (SIMD3<Double>) -> (t1: Double, t2: Double)
    ) {
        let spacing = affine.spacing
        let squared = EuclideanDistanceTransform.squaredDistances(
            toSites: brain.map { $0 != 0 }, dimensions: SIMD3(shape.x, shape.y, shape.z), spacing: spacing)
        let halfVoxel = (spacing.x + spacing.y + spacing.z) / 6
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    let offset = shape.offset(i, j, k)
                    guard brain[offset] == 0 else { continue }
                    let w = affine.apply((Double(i), Double(j), Double(k)))
                    let x = SIMD3(w.0, w.1, w.2)
                    guard let tissue = signal(depth: squared[offset].squareRoot() - halfVoxel, at: x) else { continue }
                    let scale = signalScale(x)
                    t1Voxels[offset] = Float(tissue.t1 * scale.t1)
                    t2Voxels[offset] = Float(tissue.t2 * scale.t2)
                }
            }
        }
    }
}
