/// The number of voxels along the three index axes (i fastest in memory, then j, then k).
public struct GridShape: Hashable, Sendable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var z: Int

    public init(_ x: Int, _ y: Int, _ z: Int) {
        self.x = x
        self.y = y
        self.z = z
    }

    public var count: Int { x * y * z }
    public subscript(axis: Int) -> Int {
        get { axis == 0 ? x : (axis == 1 ? y : z) }
        set {
            switch axis {
            case 0: x = newValue
            case 1: y = newValue
            default: z = newValue
            }
        }
    }

    /// Linear offset of voxel (i, j, k).
    @inline(__always) public func offset(_ i: Int, _ j: Int, _ k: Int) -> Int { i + x * (j + y * k) }

    public var description: String { "\(x)×\(y)×\(z)" }
}

/// Voxels on a grid placed in the world by an affine.
///
/// Images and labels share this shape so that geometric steps that do not interpolate (reorientation,
/// cropping) are written once for both.
public struct VoxelGrid<Voxel: Sendable>: Sendable {
    public var shape: GridShape
    /// Voxel index (i, j, k) to RAS+ world millimetres.
    public var affine: Affine
    /// Voxels with i fastest, as NIfTI stores them.
    public var voxels: [Voxel]

    public init(shape: GridShape, affine: Affine, voxels: [Voxel]) {
        precondition(voxels.count == shape.count, "voxel count \(voxels.count) does not match \(shape)")
        self.shape = shape
        self.affine = affine
        self.voxels = voxels
    }

    /// Voxel size in millimetres along i, j, k.
    public var spacing: SIMD3<Double> { affine.spacing }

    @inline(__always) public subscript(i: Int, j: Int, k: Int) -> Voxel {
        get { voxels[shape.offset(i, j, k)] }
        set { voxels[shape.offset(i, j, k)] = newValue }
    }

    /// True when both grids have the same shape and (within `tolerance` mm) the same affine.
    public func hasSameGrid<Other>(as other: VoxelGrid<Other>, tolerance: Double = 1e-3) -> Bool {
        shape == other.shape && affine.isClose(to: other.affine, tolerance: tolerance)
    }
}

/// An MRI image: float32 intensities (after scl_slope/scl_inter).
public typealias Volume = VoxelGrid<Float>

/// A segmentation: integer label values 0...255.
public typealias LabelVolume = VoxelGrid<UInt8>

extension VoxelGrid where Voxel == UInt8 {
    /// Voxels with a nonzero label: the size of a binary label's target.
    public var foregroundVoxels: Int {
        voxels.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
    }
}
