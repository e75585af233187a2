import CNIfTI
import Foundation

/// The header fields of a NIfTI file that decide where its voxels lie and how they are scaled, as
/// libnifti decodes them from bytes that `NIfTIStoredHeader` checked.
struct NIfTIHeader: Sendable {
    var version: Int
    /// dim[1...dim[0]].
    var dimensions: [Int]
    /// The product of `dimensions`.
    var voxelCount: Int
    var pixdim: [Double]
    var datatype: Int32
    var sclSlope: Double
    var sclIntercept: Double
    var qformCode: Int
    var sformCode: Int
    var qform: Affine
    var sform: Affine
    /// What the voxel reader needs: byte order, data offset and the stored datatype's size.
    var decoded: cnifti_header

    init(_ stored: NIfTIStoredHeader, decoded raw: cnifti_header) {
        version = Int(stored.version.rawValue)
        dimensions = stored.dimensions
        voxelCount = stored.voxelCount
        pixdim = withUnsafeBytes(of: raw.pixdim) { Array($0.bindMemory(to: Double.self)) }
        datatype = raw.datatype
        sclSlope = raw.scl_slope
        sclIntercept = raw.scl_inter
        qformCode = Int(raw.qform_code)
        sformCode = Int(raw.sform_code)
        qform = Affine(elements: withUnsafeBytes(of: raw.qform) { Array($0.bindMemory(to: Double.self)) })
        sform = Affine(elements: withUnsafeBytes(of: raw.sform) { Array($0.bindMemory(to: Double.self)) })
        decoded = raw
    }

    /// The size along axis `index` (0-based); axes beyond dim[0] have size 1.
    func size(_ index: Int) -> Int { index < dimensions.count ? dimensions[index] : 1 }

    /// Bytes from the start of the (decompressed) file to the end of the voxels, or nil when that
    /// overflows.
    var dataEnd: Int? {
        let (bytes, overflow) = voxelCount.multipliedReportingOverflow(by: Int(decoded.bytes_per_voxel))
        guard !overflow else { return nil }
        let (end, past) = Int(decoded.vox_offset).addingReportingOverflow(bytes)
        return past ? nil : end
    }

    /// The voxel-to-world affine chosen as nibabel's `get_best_affine` does: the sform when its code is
    /// set, else the qform when its code is set, else pixdim scaling with x flipped and the grid
    /// centred on the origin (nibabel's Analyze fallback), so files open where nibabel puts them.
    var bestAffine: Affine {
        if sformCode > 0 { return sform }
        if qformCode > 0 { return qform }
        let zooms = (1...3).map { pixdim[$0] == 0 ? 1 : abs(pixdim[$0]) }
        let sizes = (0..<3).map { Double(size($0)) }
        var affine = Affine.scaling(-zooms[0], zooms[1], zooms[2])
        affine[0, 3] = (sizes[0] - 1) / 2 * zooms[0]
        affine[1, 3] = -(sizes[1] - 1) / 2 * zooms[1]
        affine[2, 3] = -(sizes[2] - 1) / 2 * zooms[2]
        return affine
    }

    /// Why `bestAffine` cannot place the grid, or nil: every entry must be finite and every voxel
    /// size within `NIfTI.spacingRange`, so that grid sizes computed from it stay meaningful.
    var geometryProblem: String? {
        let affine = bestAffine
        guard affine.elements.allSatisfy(\.isFinite) else { return "the affine \(affine) is not finite" }
        let spacing = affine.spacing
        for axis in 0..<3 where !NIfTI.spacingRange.contains(spacing[axis]) {
            return "voxel size \(spacing[axis]) mm along axis \(axis) is outside "
                + "\(NIfTI.spacingRange.lowerBound)...\(NIfTI.spacingRange.upperBound) mm"
        }
        return nil
    }
}
