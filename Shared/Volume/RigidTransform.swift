import Foundation

/// A rotation and a translation of world space (RAS+ mm), parameterised as ITK's Euler3DTransform:
/// three Euler angles (radians) about a fixed centre, then a translation,
///
///     T(x) = R · (x − c) + c + t,   R = Rz · Rx · Ry.
///
/// Registration maps points of the fixed image to the moving image with it (T2 is read at T(x) to
/// fill T1c's voxel at x). Rotating about the fixed image's centre rather than the world origin keeps
/// angles and translations nearly independent, which the optimiser's parameter scales rely on.
public struct RigidTransform: Hashable, Sendable {
    /// Rotation angles about the x, y and z axes, in radians.
    public var angles: SIMD3<Double>
    /// Translation in mm, applied after the rotation.
    public var translation: SIMD3<Double>
    /// The point the rotation turns about (mm).
    public var centre: SIMD3<Double>

    public init(
        angles: SIMD3<Double> = .zero, translation: SIMD3<Double> = .zero, centre: SIMD3<Double> = .zero
    ) {
        self.angles = angles
        self.translation = translation
        self.centre = centre
    }

    /// The six parameters in optimiser order: angles x, y, z, then translation x, y, z.
    public var parameters: [Double] {
        [angles.x, angles.y, angles.z, translation.x, translation.y, translation.z]
    }

    /// The transform with the given six parameters and this centre.
    public func with(parameters p: [Double]) -> RigidTransform {
        precondition(p.count == 6, "a rigid transform has six parameters")
        return RigidTransform(angles: SIMD3(p[0], p[1], p[2]), translation: SIMD3(p[3], p[4], p[5]), centre: centre)
    }

    /// The rotation R as three rows.
    public var rotation: Matrix3 { Self.rotation(angles) }

    /// The 4×4 world-to-world matrix, for composing with voxel-to-world affines.
    public var matrix: Affine {
        let r = rotation
        let offset = centre + translation - r * centre
        return Affine(rows: [
            [r.rows.0.x, r.rows.0.y, r.rows.0.z, offset.x],
            [r.rows.1.x, r.rows.1.y, r.rows.1.z, offset.y],
            [r.rows.2.x, r.rows.2.y, r.rows.2.z, offset.z],
            [0, 0, 0, 1],
        ])
    }

    /// The image of a world point.
    public func apply(_ point: SIMD3<Double>) -> SIMD3<Double> {
        rotation * (point - centre) + centre + translation
    }

    /// The angle (degrees) of the rotation that takes this transform's rotation to `other`'s.
    public func rotationDifference(to other: RigidTransform) -> Double {
        let a = rotation, b = other.rotation
        // trace(Aᵀ·B) = 1 + 2·cos(angle)
        let trace = (a.rows.0 * b.rows.0).sum() + (a.rows.1 * b.rows.1).sum() + (a.rows.2 * b.rows.2).sum()
        return acos(min(max((trace - 1) / 2, -1), 1)) * 180 / .pi
    }

    /// R = Rz · Rx · Ry and its derivatives with respect to the x, y and z angles.
    static func rotationAndDerivatives(_ angles: SIMD3<Double>) -> (rotation: Matrix3, derivatives: [Matrix3]) {
        let (cx, sx) = (cos(angles.x), sin(angles.x))
        let (cy, sy) = (cos(angles.y), sin(angles.y))
        let (cz, sz) = (cos(angles.z), sin(angles.z))
        let rx = Matrix3(SIMD3(1, 0, 0), SIMD3(0, cx, -sx), SIMD3(0, sx, cx))
        let ry = Matrix3(SIMD3(cy, 0, sy), SIMD3(0, 1, 0), SIMD3(-sy, 0, cy))
        let rz = Matrix3(SIMD3(cz, -sz, 0), SIMD3(sz, cz, 0), SIMD3(0, 0, 1))
        let drx = Matrix3(SIMD3(0, 0, 0), SIMD3(0, -sx, -cx), SIMD3(0, cx, -sx))
        let dry = Matrix3(SIMD3(-sy, 0, cy), SIMD3(0, 0, 0), SIMD3(-cy, 0, -sy))
        let drz = Matrix3(SIMD3(-sz, -cz, 0), SIMD3(cz, -sz, 0), SIMD3(0, 0, 0))
        return (rz * rx * ry, [rz * drx * ry, rz * rx * dry, drz * rx * ry])
    }

    static func rotation(_ angles: SIMD3<Double>) -> Matrix3 { rotationAndDerivatives(angles).rotation }
}
