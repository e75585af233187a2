import SeededRandom
import Volume

/// The head moving between a subject's T1c and T2 acquisitions, as in raw clinical series that were
/// never co-registered: T2's voxels stay as acquired and its affine places them where the head was
/// when T1c was taken, off by a rigid motion about the brain's centre. Registration must undo it.
///
/// Drawn per case from the cohort's seed on a stream of its own, so a cohort with motion has the
/// same anatomy, tumors and intensities as the one without.
public struct HeadMotion: Codable, Sendable, Equatable {
    /// Rotations about x, y and z (applied in that order), in degrees.
    public var degrees: [Double]
    /// Translation along x, y and z in mm.
    public var millimetres: [Double]

    /// The largest rotation about any axis and shift along any axis drawn.
    public static let maximumDegrees = 10.0
    public static let maximumMillimetres = 10.0

    /// The motion of case `index` of the cohort with `seed`.
    static func draw(seed: UInt64, index: Int) -> HeadMotion {
        var g = SeededGenerator(seed: seed ^ 0x6865_6164_6d6f_7665, stream: UInt64(index))
        let uniform = { (limit: Double) -> Double in (2 * g.nextUnitDouble() - 1) * limit }
        let degrees = (0..<3).map { _ in uniform(maximumDegrees) }
        let millimetres = (0..<3).map { _ in uniform(maximumMillimetres) }
        return HeadMotion(degrees: degrees, millimetres: millimetres)
    }

    /// The world (RAS mm) map from where a point of the head was at T1c to where it is in T2's
    /// scanner frame: rotation about `centre`, then the translation.
    func worldMap(about centre: SIMD3<Double>) -> Affine {
        let radians = SIMD3(degrees[0], degrees[1], degrees[2]) * (.pi / 180)
        return Affine.translation(centre.x + millimetres[0], centre.y + millimetres[1], centre.z + millimetres[2])
            * SubjectSynthesizer.rotation(radians) * Affine.translation(-centre.x, -centre.y, -centre.z)
    }

    /// `t2` as a scanner that did not see the motion records it: its affine moved by the motion
    /// about the centre of its grid.
    func applied(to t2: Volume) -> Volume {
        let middle = t2.affine.apply(
            (Double(t2.shape.x - 1) / 2, Double(t2.shape.y - 1) / 2, Double(t2.shape.z - 1) / 2))
        var moved = t2
        moved.affine = worldMap(about: SIMD3(middle.0, middle.1, middle.2)) * t2.affine
        return moved
    }
}
