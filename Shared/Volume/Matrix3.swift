/// A 3×3 matrix as three rows: rotations and the linear parts of affines.
public struct Matrix3: Hashable, Sendable {
    public var rows: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)

    public init(_ row0: SIMD3<Double>, _ row1: SIMD3<Double>, _ row2: SIMD3<Double>) {
        rows = (row0, row1, row2)
    }

    /// The linear part of an affine.
    public init(linearPartOf affine: Affine) {
        self.init(
            SIMD3(affine[0, 0], affine[0, 1], affine[0, 2]), SIMD3(affine[1, 0], affine[1, 1], affine[1, 2]),
            SIMD3(affine[2, 0], affine[2, 1], affine[2, 2]))
    }

    public var transposed: Matrix3 {
        Matrix3(
            SIMD3(rows.0.x, rows.1.x, rows.2.x), SIMD3(rows.0.y, rows.1.y, rows.2.y),
            SIMD3(rows.0.z, rows.1.z, rows.2.z))
    }

    @inline(__always)
    public static func * (m: Matrix3, v: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3((m.rows.0 * v).sum(), (m.rows.1 * v).sum(), (m.rows.2 * v).sum())
    }

    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        let columns = b.transposed
        func row(_ r: SIMD3<Double>) -> SIMD3<Double> {
            SIMD3((r * columns.rows.0).sum(), (r * columns.rows.1).sum(), (r * columns.rows.2).sum())
        }
        return Matrix3(row(a.rows.0), row(a.rows.1), row(a.rows.2))
    }

    public static func == (a: Matrix3, b: Matrix3) -> Bool {
        a.rows.0 == b.rows.0 && a.rows.1 == b.rows.1 && a.rows.2 == b.rows.2
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rows.0)
        hasher.combine(rows.1)
        hasher.combine(rows.2)
    }
}
