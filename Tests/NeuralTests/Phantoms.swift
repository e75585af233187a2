@testable import Neural

/// Synthetic volumes: a bright sphere (the "tumour") in noise, its label, and a second channel.
enum Phantoms {
    /// Image `[1, 2, n, n, n]` and label `[1, 1, n, n, n]` for a sphere of `radius` at `center`.
    static func sphere(
        size n: Int, radius: Double, center: (Double, Double, Double)? = nil,
        seed: UInt64
    ) -> (image: Tensor, label: Tensor) {
        let c = center ?? (Double(n - 1) / 2, Double(n - 1) / 2, Double(n - 1) / 2)
        var generator = SeededGeneratorForTests(seed: seed)
        var image = Tensor(zeros: [1, 2, n, n, n])
        var label = Tensor(zeros: [1, 1, n, n, n])
        let voxels = n * n * n
        for z in 0..<n {
            for y in 0..<n {
                for x in 0..<n {
                    let d =
                        ((Double(z) - c.0) * (Double(z) - c.0) + (Double(y) - c.1) * (Double(y) - c.1)
                        + (Double(x) - c.2) * (Double(x) - c.2)).squareRoot()
                    let inside = d <= radius
                    let i = (z * n + y) * n + x
                    label.scalars[i] = inside ? 1 : 0
                    image.scalars[i] = Float((inside ? 1.0 : 0.0) + 0.3 * generator.gaussian())
                    image.scalars[voxels + i] = Float(Double(x) / Double(n) + 0.3 * generator.gaussian())
                }
            }
        }
        return (image, label)
    }
}
