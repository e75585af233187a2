/// Exact squared Euclidean distance transform on an anisotropic 3D grid.
///
/// Felzenszwalb and Huttenlocher, "Distance Transforms of Sampled Functions" (Theory of Computing,
/// 2012): the squared distance is separable, so three one-dimensional passes — each the lower
/// envelope of the parabolas (x − xⱼ)² + f(j) with xⱼ = j · spacing — give the exact result in O(N).
/// Exactness matters because HD95 is a tail quantile: a chamfer approximation would bias it.
public enum EuclideanDistanceTransform {
    /// For every voxel, the squared physical distance to the nearest site, or +∞ when there is none.
    public static func squaredDistances(
        toSites sites: [Bool], dimensions: SIMD3<Int>, spacing: SIMD3<Double>
    ) -> [Double] {
        var field = sites.map { $0 ? 0.0 : Double.infinity }
        let (nx, ny, nz) = (dimensions.x, dimensions.y, dimensions.z)
        let longest = max(nx, ny, nz)
        var line = [Double](repeating: 0, count: longest)
        var envelope = Envelope(capacity: longest)
        func transformLines(count: Int, stride: Int, spacing: Double, starts: [Int]) {
            for start in starts {
                for i in 0..<count { line[i] = field[start + i * stride] }
                envelope.transform(&line, count: count, spacing: spacing)
                for i in 0..<count { field[start + i * stride] = line[i] }
            }
        }
        transformLines(
            count: nx, stride: 1, spacing: spacing.x,
            starts: (0..<(ny * nz)).map { $0 * nx })
        transformLines(
            count: ny, stride: nx, spacing: spacing.y,
            starts: (0..<nz).flatMap { z in (0..<nx).map { x in x + nx * ny * z } })
        transformLines(
            count: nz, stride: nx * ny, spacing: spacing.z,
            starts: Array(0..<(nx * ny)))
        return field
    }

    /// Work space for the one-dimensional transform, reused across lines.
    private struct Envelope {
        /// Indices of the parabolas in the lower envelope.
        var vertices: [Int]
        /// Boundaries between consecutive envelope parabolas (physical coordinates).
        var boundaries: [Double]
        var output: [Double]

        init(capacity: Int) {
            vertices = [Int](repeating: 0, count: capacity)
            boundaries = [Double](repeating: 0, count: capacity + 1)
            output = [Double](repeating: 0, count: capacity)
        }

        /// Replaces f(i) by min_j (s·(i − j))² + f(j) for the first `count` entries.
        mutating func transform(_ f: inout [Double], count: Int, spacing s: Double) {
            var k = -1
            for q in 0..<count where f[q].isFinite {
                let xq = Double(q) * s
                if k < 0 {
                    k = 0
                    vertices[0] = q
                    boundaries[0] = -.infinity
                    boundaries[1] = .infinity
                    continue
                }
                var crossing = intersection(f, q, xq, vertices[k], s)
                while crossing <= boundaries[k] {
                    k -= 1
                    crossing = intersection(f, q, xq, vertices[k], s)
                }
                k += 1
                vertices[k] = q
                boundaries[k] = crossing
                boundaries[k + 1] = .infinity
            }
            guard k >= 0 else { return }
            var j = 0
            for i in 0..<count {
                let x = Double(i) * s
                while boundaries[j + 1] < x { j += 1 }
                let dx = x - Double(vertices[j]) * s
                output[i] = dx * dx + f[vertices[j]]
            }
            for i in 0..<count { f[i] = output[i] }
        }

        /// Where the parabola rooted at q overtakes the one rooted at r (q > r).
        private func intersection(_ f: [Double], _ q: Int, _ xq: Double, _ r: Int, _ s: Double) -> Double {
            let xr = Double(r) * s
            return ((f[q] + xq * xq) - (f[r] + xr * xr)) / (2 * (xq - xr))
        }
    }
}
