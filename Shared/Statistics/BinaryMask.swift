/// A binary segmentation on a 3D voxel grid, with its physical voxel spacing.
///
/// Voxels are stored x fastest, then y, then z (NIfTI order): index = x + nx·(y + ny·z).
/// The spacing (mm) is what makes surface distances physical on anisotropic scans.
public struct BinaryMask: Sendable, Equatable {
    public let dimensions: SIMD3<Int>
    public let spacing: SIMD3<Double>
    public let voxels: [Bool]

    public init(dimensions: SIMD3<Int>, spacing: SIMD3<Double> = .one, voxels: [Bool]) throws {
        guard dimensions.x > 0, dimensions.y > 0, dimensions.z > 0 else {
            throw StatisticsError(
                .invalidParameter, subject: "mask dimensions",
                detail: "every dimension must be positive, got \(dimensions)")
        }
        guard spacing.x > 0, spacing.y > 0, spacing.z > 0,
            spacing.x.isFinite, spacing.y.isFinite, spacing.z.isFinite
        else {
            throw StatisticsError(
                .invalidParameter, subject: "mask spacing",
                detail: "every spacing must be positive and finite, got \(spacing)")
        }
        guard voxels.count == dimensions.x * dimensions.y * dimensions.z else {
            throw StatisticsError(
                .mismatchedInputs, subject: "mask voxels",
                detail: "\(voxels.count) voxels for dimensions \(dimensions)")
        }
        self.dimensions = dimensions
        self.spacing = spacing
        self.voxels = voxels
    }

    /// The mask of the voxels whose probability is at least `threshold` (the paper's 0.5).
    public init(
        probabilities: [Float], threshold: Float = 0.5, dimensions: SIMD3<Int>,
        spacing: SIMD3<Double> = .one
    ) throws {
        try self.init(dimensions: dimensions, spacing: spacing, voxels: probabilities.map { $0 >= threshold })
    }

    public var foregroundCount: Int { voxels.reduce(0) { $0 + ($1 ? 1 : 0) } }

    func index(_ x: Int, _ y: Int, _ z: Int) -> Int { x + dimensions.x * (y + dimensions.y * z) }

    /// The surface: foreground voxels with at least one of their six face neighbours in the
    /// background, where voxels outside the grid count as background (so an object touching the
    /// border has a surface there, as with `scipy.ndimage.binary_erosion`'s default border).
    func surface() -> [Bool] {
        let (nx, ny, nz) = (dimensions.x, dimensions.y, dimensions.z)
        var surface = [Bool](repeating: false, count: voxels.count)
        for z in 0..<nz {
            for y in 0..<ny {
                for x in 0..<nx where voxels[index(x, y, z)] {
                    let interior =
                        x > 0 && x < nx - 1 && y > 0 && y < ny - 1 && z > 0 && z < nz - 1
                        && voxels[index(x - 1, y, z)] && voxels[index(x + 1, y, z)]
                        && voxels[index(x, y - 1, z)] && voxels[index(x, y + 1, z)]
                        && voxels[index(x, y, z - 1)] && voxels[index(x, y, z + 1)]
                    surface[index(x, y, z)] = !interior
                }
            }
        }
        return surface
    }
}
