/// The fields of a NIfTI header that decide how much a reader would allocate and where it would
/// look, read from the header's bytes and checked before libnifti decodes them.
///
/// libnifti 3.0.1 trusts these fields: for NIfTI-2 it loops over `dim[1...dim[0]]` on its stack copy
/// of the header whatever `dim[0]` is, multiplies the dimensions without overflow checks, allocates
/// header extensions as large as the data offset allows, and for a header/image pair (or a name it
/// does not recognise) opens another file beside the one it was given. So the bytes are checked here:
/// a single-file NIfTI-1 or NIfTI-2 header (`n+1`/`n+2` magic) in either byte order, `dim[0]` in
/// 1...7, every size at least 1 with a voxel count that fits an `Int`, and a data offset within
/// `NIfTI.maxHeaderExtensionBytes` of the header's end.
struct NIfTIStoredHeader: Sendable {
    /// The bytes a reader needs for the larger (NIfTI-2) header.
    static let byteCount = 540

    var version: NIfTIVersion
    /// dim[1...dim[0]].
    var dimensions: [Int]
    /// The product of `dimensions`.
    var voxelCount: Int

    /// Checks `bytes`, the start of the (decompressed) file. `file` and `caseID` name the errors.
    init(_ bytes: [UInt8], file: String, caseID: String?) throws(VolumeError) {
        func fail(_ code: VolumeError.Code, _ detail: String) -> VolumeError {
            VolumeError(code, caseID: caseID, file: file, detail: detail)
        }
        guard bytes.count >= 348 else {
            throw fail(.notNIfTI, "\(bytes.count) bytes, shorter than a NIfTI-1 header")
        }
        let fields: Fields
        switch (Fields.int32(bytes, at: 0, swapped: false), Fields.int32(bytes, at: 0, swapped: true)) {
        case (348, _): fields = Fields(bytes: bytes, version: .nifti1, swapped: false)
        case (_, 348): fields = Fields(bytes: bytes, version: .nifti1, swapped: true)
        case (540, _) where bytes.count >= 540: fields = Fields(bytes: bytes, version: .nifti2, swapped: false)
        case (_, 540) where bytes.count >= 540: fields = Fields(bytes: bytes, version: .nifti2, swapped: true)
        default: throw fail(.notNIfTI, "not a NIfTI-1 or NIfTI-2 image (no 348- or 540-byte header)")
        }
        version = fields.version
        let magic = fields.magic
        let name = version == .nifti1 ? "NIfTI-1" : "NIfTI-2"
        let digit = UInt8(ascii: version == .nifti1 ? "1" : "2")
        if magic == [UInt8(ascii: "n"), UInt8(ascii: "i"), digit, 0] {
            throw fail(
                .headerImagePair,
                "a \(name) header whose voxels are in a separate .img file; "
                    + "only single-file images (.nii, .nii.gz) are read")
        }
        guard magic == [UInt8(ascii: "n"), UInt8(ascii: "+"), digit, 0] else {
            throw fail(.notNIfTI, "no \(name) magic: an ANALYZE 7.5 header or not an image")
        }

        let rank = fields.dim(0)
        guard (1...7).contains(rank) else {
            throw fail(.invalidHeader, "dim[0] is \(rank), outside 1...7")
        }
        dimensions = (1...Int(rank)).map { Int(fields.dim($0)) }
        if let axis = dimensions.firstIndex(where: { $0 < 1 }) {
            throw fail(.invalidHeader, "dim[\(axis + 1)] is \(dimensions[axis]); every size must be at least 1")
        }
        guard let count = checkedProduct(dimensions) else {
            throw fail(
                .tooLarge, "\(dimensions.map(String.init).joined(separator: "×")) voxels overflow a 64-bit count")
        }
        voxelCount = count

        let headerSize = version == .nifti1 ? 348 : 540
        let offset = fields.voxelOffset
        guard offset.isFinite, offset >= 0, offset <= Double(headerSize + NIfTI.maxHeaderExtensionBytes) else {
            throw fail(
                .invalidHeader,
                "vox_offset \(offset) is not within \(NIfTI.maxHeaderExtensionBytes) bytes "
                    + "after the \(headerSize)-byte header, the cap on header extensions")
        }
    }

    /// Typed reads of the header fields at their offsets for one version and byte order.
    private struct Fields {
        var bytes: [UInt8]
        var version: NIfTIVersion
        var swapped: Bool

        static func int32(_ bytes: [UInt8], at offset: Int, swapped: Bool) -> Int32 {
            Int32(bitPattern: UInt32(integer(bytes, at: offset, size: 4, swapped: swapped)))
        }

        /// An unsigned little- (or, swapped, big-) endian integer of `size` bytes.
        static func integer(_ bytes: [UInt8], at offset: Int, size: Int, swapped: Bool) -> UInt64 {
            (0..<size).reduce(UInt64(0)) { value, index in
                value | UInt64(bytes[offset + (swapped ? size - 1 - index : index)]) << (8 * UInt64(index))
            }
        }

        var magic: [UInt8] { Array(bytes[(version == .nifti1 ? 344 : 4)..<(version == .nifti1 ? 348 : 8)]) }

        /// dim[index]: int16 from byte 40 in NIfTI-1, int64 from byte 16 in NIfTI-2.
        func dim(_ index: Int) -> Int64 {
            switch version {
            case .nifti1:
                Int64(Int16(bitPattern: UInt16(Self.integer(bytes, at: 40 + 2 * index, size: 2, swapped: swapped))))
            case .nifti2:
                Int64(bitPattern: Self.integer(bytes, at: 16 + 8 * index, size: 8, swapped: swapped))
            }
        }

        /// vox_offset: float32 at byte 108 in NIfTI-1, int64 at byte 168 in NIfTI-2.
        var voxelOffset: Double {
            switch version {
            case .nifti1:
                Double(Float(bitPattern: UInt32(Self.integer(bytes, at: 108, size: 4, swapped: swapped))))
            case .nifti2:
                Double(Int64(bitPattern: Self.integer(bytes, at: 168, size: 8, swapped: swapped)))
            }
        }
    }
}
