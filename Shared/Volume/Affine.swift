import Foundation

/// A 4×4 homogeneous voxel-to-world transform (row-major), world in RAS+ millimetres as nibabel uses.
///
/// Geometry is kept as an affine rather than origin/spacing/direction so that reorientation, cropping
/// and resampling compose by matrix products, and so that a file written by ActiveSeg opens in nibabel
/// and ITK-based viewers in the same place.
public struct Affine: Hashable, Sendable, CustomStringConvertible {
    /// Sixteen entries, row-major; the last row is (0, 0, 0, 1) for the transforms used here.
    public var elements: [Double]

    public init(rows: [[Double]]) {
        precondition(rows.count == 4 && rows.allSatisfy { $0.count == 4 }, "an affine is 4×4")
        elements = rows.flatMap { $0 }
    }

    public init(elements: [Double]) {
        precondition(elements.count == 16, "an affine has 16 elements")
        self.elements = elements
    }

    public static let identity = Affine.scaling(1, 1, 1)

    public static func scaling(_ x: Double, _ y: Double, _ z: Double) -> Affine {
        Affine(rows: [[x, 0, 0, 0], [0, y, 0, 0], [0, 0, z, 0], [0, 0, 0, 1]])
    }

    public static func translation(_ x: Double, _ y: Double, _ z: Double) -> Affine {
        Affine(rows: [[1, 0, 0, x], [0, 1, 0, y], [0, 0, 1, z], [0, 0, 0, 1]])
    }

    public subscript(row: Int, column: Int) -> Double {
        get { elements[row * 4 + column] }
        set { elements[row * 4 + column] = newValue }
    }

    public static func * (lhs: Affine, rhs: Affine) -> Affine {
        var product = [Double](repeating: 0, count: 16)
        for row in 0..<4 {
            for column in 0..<4 {
                var sum = 0.0
                for k in 0..<4 { sum += lhs[row, k] * rhs[k, column] }
                product[row * 4 + column] = sum
            }
        }
        return Affine(elements: product)
    }

    /// Maps a point (voxel index to world, for a voxel-to-world affine).
    public func apply(_ point: (Double, Double, Double)) -> (Double, Double, Double) {
        let (x, y, z) = point
        return (
            self[0, 0] * x + self[0, 1] * y + self[0, 2] * z + self[0, 3],
            self[1, 0] * x + self[1, 1] * y + self[1, 2] * z + self[1, 3],
            self[2, 0] * x + self[2, 1] * y + self[2, 2] * z + self[2, 3]
        )
    }

    /// The inverse, or nil when the linear part is singular.
    public var inverse: Affine? {
        let m = self
        let a = m[0, 0], b = m[0, 1], c = m[0, 2]
        let d = m[1, 0], e = m[1, 1], f = m[1, 2]
        let g = m[2, 0], h = m[2, 1], i = m[2, 2]
        let cofactors = [
            e * i - f * h, c * h - b * i, b * f - c * e,
            f * g - d * i, a * i - c * g, c * d - a * f,
            d * h - e * g, b * g - a * h, a * e - b * d,
        ]
        let determinant = a * cofactors[0] + b * cofactors[3] + c * cofactors[6]
        guard determinant.isFinite, abs(determinant) > 1e-12 else { return nil }
        var result = Affine.identity
        for row in 0..<3 {
            for column in 0..<3 { result[row, column] = cofactors[row * 3 + column] / determinant }
        }
        for row in 0..<3 {
            result[row, 3] = -(result[row, 0] * m[0, 3] + result[row, 1] * m[1, 3] + result[row, 2] * m[2, 3])
        }
        return result
    }

    /// Voxel size along each index axis: the length of each column of the linear part.
    public var spacing: SIMD3<Double> {
        func norm(_ column: Int) -> Double {
            (0..<3).map { self[$0, column] * self[$0, column] }.reduce(0, +).squareRoot()
        }
        return SIMD3(norm(0), norm(1), norm(2))
    }

    /// True when every entry differs by at most `tolerance`.
    public func isClose(to other: Affine, tolerance: Double = 1e-4) -> Bool {
        zip(elements, other.elements).allSatisfy { abs($0 - $1) <= tolerance }
    }

    public var description: String {
        (0..<4).map { row in (0..<4).map { String(format: "%.4f", self[row, $0]) }.joined(separator: " ") }
            .joined(separator: "; ")
    }
}
