import Foundation

/// What a NIfTI file's header says about how its voxels are stored, read without the voxels.
///
/// `Volume` keeps only what the pipeline needs (grid, affine, float voxels); tools that inspect a
/// file or write it back unchanged also need the on-disk datatype, header version and scaling.
public struct NIfTIFileInfo: Sendable, Equatable {
    /// 1 or 2 for NIfTI-1 and NIfTI-2.
    public var version: Int
    /// The stored datatype, or nil for a NIfTI code ActiveSeg does not read (see `datatypeCode`).
    public var datatype: NIfTIDatatype?
    public var datatypeCode: Int32
    /// The size of each dimension, dim[1] onwards (3 or more entries).
    public var dimensions: [Int]
    /// The voxel-to-world affine chosen as `NIfTI.readImage` chooses it.
    public var affine: Affine
    public var qformCode: Int
    public var sformCode: Int
    /// Stored value · slope + intercept is the voxel value; a slope of 0 means unscaled.
    public var slope: Double
    public var intercept: Double
}

extension NIfTI {
    /// Reads the header of a `.nii` or `.nii.gz` file.
    public static func fileInfo(at url: URL) throws(VolumeError) -> NIfTIFileInfo {
        let header = try readHeader(at: url, caseID: nil)
        return NIfTIFileInfo(
            version: header.version, datatype: NIfTIDatatype(rawValue: header.datatype),
            datatypeCode: header.datatype, dimensions: (0..<max(header.dimensions.count, 3)).map(header.size),
            affine: header.bestAffine,
            qformCode: header.qformCode, sformCode: header.sformCode, slope: header.sclSlope,
            intercept: header.sclIntercept)
    }
}
