import CNIfTI
import Foundation

/// The header fields of a NIfTI file that decide where its voxels lie and how they are scaled.
struct NIfTIHeader: Sendable {
    var version: Int
    /// dim[0] is the number of dimensions, dim[1...] the sizes.
    var dim: [Int]
    var pixdim: [Double]
    var datatype: Int32
    var sclSlope: Double
    var sclIntercept: Double
    var qformCode: Int
    var sformCode: Int
    var qform: Affine
    var sform: Affine

    init(_ raw: cnifti_header) {
        version = Int(raw.nifti_version)
        dim = withUnsafeBytes(of: raw.dim) { Array($0.bindMemory(to: Int64.self)).map(Int.init) }
        pixdim = withUnsafeBytes(of: raw.pixdim) { Array($0.bindMemory(to: Double.self)) }
        datatype = raw.datatype
        sclSlope = raw.scl_slope
        sclIntercept = raw.scl_inter
        qformCode = Int(raw.qform_code)
        sformCode = Int(raw.sform_code)
        qform = Affine(elements: withUnsafeBytes(of: raw.qform) { Array($0.bindMemory(to: Double.self)) })
        sform = Affine(elements: withUnsafeBytes(of: raw.sform) { Array($0.bindMemory(to: Double.self)) })
    }

    /// The voxel-to-world affine chosen as nibabel's `get_best_affine` does: the sform when its code is
    /// set, else the qform when its code is set, else pixdim scaling with x flipped and the grid
    /// centred on the origin (nibabel's Analyze fallback), so files open where nibabel puts them.
    var bestAffine: Affine {
        if sformCode > 0 { return sform }
        if qformCode > 0 { return qform }
        let zooms = (1...3).map { pixdim[$0] == 0 ? 1 : abs(pixdim[$0]) }
        let sizes = (1...3).map { Double(dim[$0]) }
        var affine = Affine.scaling(-zooms[0], zooms[1], zooms[2])
        affine[0, 3] = (sizes[0] - 1) / 2 * zooms[0]
        affine[1, 3] = -(sizes[1] - 1) / 2 * zooms[1]
        affine[2, 3] = -(sizes[2] - 1) / 2 * zooms[2]
        return affine
    }
}
