import CNIfTI
import Foundation

/// Reading and writing NIfTI-1 and NIfTI-2 images (`.nii`, `.nii.gz`) through libnifti2.
///
/// Reads check what would otherwise fail later and far from the file: the header's fields before
/// libnifti sees them (`NIfTIStoredHeader`), the geometry, dimensionality, a memory cap, non-finite
/// or all-zero images, and labels outside the declared set. Only the exact file named is opened;
/// header/image pairs are refused. Writes go to a temporary file in the target folder and are renamed
/// into place, so a reader never sees half a file.
public enum NIfTI {
    /// The default cap on voxels per image: 512³ float32 voxels is 512 MiB.
    public static let defaultMaxVoxels = 512 * 512 * 512
    /// The most bytes of header extensions (between the header and vox_offset) a file may have. The
    /// size of a .nii.gz cannot be known without decompressing it, so a cap rather than the file's
    /// size bounds how far a reader skips; real extensions (JSON sidecars, DICOM tags) are far smaller.
    public static let maxHeaderExtensionBytes = 16 << 20
    /// Voxel sizes a file's affine may give, in mm: MRI voxels are 0.1–10 mm, and sizes outside this
    /// range come from corrupt headers and would make resampling's grid sizes meaningless.
    public static let spacingRange = 1e-3...1e3

    /// Reads an image as float32 with scl_slope/scl_inter applied.
    ///
    /// - Parameters:
    ///   - maxVoxels: images with more voxels are rejected before their data is read.
    ///   - requireContent: reject NaN/Inf voxels and all-zero images (true for MRI inputs).
    public static func readImage(
        at url: URL, caseID: String? = nil, maxVoxels: Int = defaultMaxVoxels, requireContent: Bool = true
    ) throws(VolumeError) -> Volume {
        let (shape, affine, voxels) = try readFloat(at: url, caseID: caseID, maxVoxels: maxVoxels)
        if requireContent {
            var nonFinite = 0
            var nonZero = 0
            for value in voxels {
                if !value.isFinite { nonFinite += 1 } else if value != 0 { nonZero += 1 }
            }
            if nonFinite > 0 {
                throw VolumeError(
                    .nonFiniteVoxels, caseID: caseID, file: url.path,
                    detail: "\(nonFinite) voxels are NaN or infinite")
            }
            if nonZero == 0 {
                throw VolumeError(.allZero, caseID: caseID, file: url.path, detail: "every voxel is zero")
            }
        }
        return Volume(shape: shape, affine: affine, voxels: voxels)
    }

    /// Reads a segmentation whose values must all be in `allowedValues` (e.g. BraTS {0, 1, 2, 4}).
    public static func readLabels(
        at url: URL, allowedValues: Set<UInt8>, caseID: String? = nil, maxVoxels: Int = defaultMaxVoxels
    ) throws(VolumeError) -> LabelVolume {
        let (shape, affine, voxels) = try readFloat(at: url, caseID: caseID, maxVoxels: maxVoxels)
        var allowed = [Bool](repeating: false, count: 256)
        for value in allowedValues { allowed[Int(value)] = true }
        var labels = [UInt8](repeating: 0, count: voxels.count)
        var unexpected = Set<Float>()
        for (index, value) in voxels.enumerated() {
            if value >= 0, value <= 255, value.rounded() == value, allowed[Int(value)] {
                labels[index] = UInt8(value)
            } else if unexpected.count < 8 {
                unexpected.insert(value)
            }
        }
        if !unexpected.isEmpty {
            let shown = unexpected.sorted { !($0 >= $1) }.map { "\($0)" }.joined(separator: ", ")
            let declared = allowedValues.sorted().map(String.init).joined(separator: ", ")
            throw VolumeError(
                .unexpectedLabel, caseID: caseID, file: url.path,
                detail: "label values \(shown) are outside the declared set {\(declared)}")
        }
        return LabelVolume(shape: shape, affine: affine, voxels: labels)
    }

    /// Writes an image. Integer datatypes round and clamp; `slope`/`intercept` are stored as
    /// scl_slope/scl_inter (voxel = stored · slope + intercept).
    public static func write(
        _ volume: Volume, to url: URL, datatype: NIfTIDatatype = .float32, version: NIfTIVersion = .nifti1,
        slope: Double = 1, intercept: Double = 0
    ) throws(VolumeError) {
        try writeFloat(
            volume.voxels, shape: volume.shape, affine: volume.affine, to: url,
            datatype: datatype, version: version, slope: slope, intercept: intercept)
    }

    /// Writes a segmentation as uint8.
    public static func write(_ labels: LabelVolume, to url: URL, version: NIfTIVersion = .nifti1) throws(VolumeError) {
        try writeFloat(
            labels.voxels.map(Float.init), shape: labels.shape, affine: labels.affine, to: url,
            datatype: .uint8, version: version, slope: 1, intercept: 0)
    }

    /// Writes channels that share one grid as one 4D image (dim[4] = channel count), the layout
    /// nnU-Net and PyTorch loaders read as a multi-channel input: a case's network input travels as
    /// one file, so its channels can never be paired with another case's.
    public static func write(channels: [Volume], to url: URL, version: NIfTIVersion = .nifti1) throws(VolumeError) {
        guard let first = channels.first else {
            throw VolumeError(.writeFailed, file: url.path, detail: "no channels to write")
        }
        for (index, channel) in channels.enumerated() where !channel.hasSameGrid(as: first) {
            throw VolumeError(
                .gridMismatch, file: url.path,
                detail:
                    "channel \(index) grid \(channel.shape) differs from channel 0 grid \(first.shape) or its affine")
        }
        try writeFloat(
            channels.flatMap(\.voxels), shape: first.shape, affine: first.affine, to: url,
            datatype: .float32, version: version, slope: 1, intercept: 0, channels: channels.count)
    }

    /// Reads a 3D image, or each volume of a 4D image, as float32 channels on one grid.
    public static func readChannels(
        at url: URL, caseID: String? = nil, maxVoxels: Int = defaultMaxVoxels
    ) throws(VolumeError) -> [Volume] {
        let (shape, affine, voxels) = try readFloat(at: url, caseID: caseID, maxVoxels: maxVoxels, allowsChannels: true)
        return stride(from: 0, to: voxels.count, by: shape.count).map { start in
            Volume(shape: shape, affine: affine, voxels: Array(voxels[start..<(start + shape.count)]))
        }
    }

    /// Reads and checks the header (for the affine rules and dimension checks) without the voxels.
    static func readHeader(at url: URL, caseID: String?) throws(VolumeError) -> NIfTIHeader {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue else {
            throw VolumeError(.missingFile, caseID: caseID, file: url.path, detail: "no such file")
        }
        let compressed = isGzip(url)
        var bytes = [UInt8](repeating: 0, count: NIfTIStoredHeader.byteCount)
        var length = 0
        let status = cnifti_read_prefix(url.path, &bytes, bytes.count, &length)
        guard status == CNIFTI_OK, !compressed || length >= 348 else {
            if status == CNIFTI_ERROR_OPEN {
                throw VolumeError(.missingFile, caseID: caseID, file: url.path, detail: "cannot open the file")
            }
            throw VolumeError(
                .corruptData, caseID: caseID, file: url.path,
                detail: "gzip stream is damaged or ends before the NIfTI header")
        }
        bytes.removeSubrange(length...)
        let stored = try NIfTIStoredHeader(bytes, file: url.path, caseID: caseID)
        var raw = cnifti_header()
        var message = [CChar](repeating: 0, count: 512)
        guard cnifti_decode_header(bytes, bytes.count, &raw, &message, message.count) == CNIFTI_OK else {
            throw VolumeError(.notNIfTI, caseID: caseID, file: url.path, detail: text(of: message))
        }
        let header = NIfTIHeader(stored, decoded: raw)
        if let problem = header.geometryProblem {
            throw VolumeError(.invalidGeometry, caseID: caseID, file: url.path, detail: problem)
        }
        return header
    }

    /// The voxels of a 3D image or, with `allowsChannels`, of every volume of a 4D image in file order.
    private static func readFloat(
        at url: URL, caseID: String?, maxVoxels: Int, allowsChannels: Bool = false
    ) throws(VolumeError) -> (GridShape, Affine, [Float]) {
        let header = try readHeader(at: url, caseID: caseID)
        let rank = header.dimensions.count
        let shape = GridShape(header.size(0), header.size(1), header.size(2))
        let extra = header.voxelCount / shape.count
        guard rank == 3 || (rank == 4 && (extra == 1 || allowsChannels)) else {
            let sizes = header.dimensions.map(String.init).joined(separator: "×")
            throw VolumeError(
                .unsupportedDimensions, caseID: caseID, file: url.path,
                detail: "\(rank)D image \(sizes); expected 3D or 4D with one volume")
        }
        guard header.voxelCount <= maxVoxels else {
            throw VolumeError(
                .tooLarge, caseID: caseID, file: url.path,
                detail: "\(shape) × \(extra) is \(header.voxelCount) voxels, above the cap of \(maxVoxels)")
        }
        guard NIfTIDatatype(rawValue: header.datatype) != nil else {
            throw VolumeError(
                .unsupportedDatatype, caseID: caseID, file: url.path,
                detail: "NIfTI datatype code \(header.datatype)")
        }
        // The voxels must be there before any buffer for them is allocated: a plain file's size
        // says so, a compressed file is read through once (in small chunks) to count its bytes.
        guard let end = header.dataEnd else {
            throw VolumeError(
                .corruptData, caseID: caseID, file: url.path,
                detail:
                    "the header's \(header.voxelCount) voxels at byte \(header.decoded.vox_offset) end past any file")
        }
        if isGzip(url) {
            var available: Int64 = 0
            let status = cnifti_available_length(url.path, Int64(end), &available)
            guard status == CNIFTI_OK, available >= end else {
                throw VolumeError(
                    .corruptData, caseID: caseID, file: url.path,
                    detail: status == CNIFTI_OK
                        ? "the header places \(header.voxelCount) voxels at byte \(header.decoded.vox_offset), past the end of the \(available)-byte decompressed stream"
                        : "gzip stream is damaged before the end of the voxels")
            }
        } else if let size = fileSize(url) {
            guard end <= size else {
                throw VolumeError(
                    .corruptData, caseID: caseID, file: url.path,
                    detail:
                        "the header places \(header.voxelCount) voxels at byte \(header.decoded.vox_offset), past the end of the \(size)-byte file"
                )
            }
        }
        var voxels = [Float](repeating: 0, count: header.voxelCount)
        var message = [CChar](repeating: 0, count: 512)
        var decoded = header.decoded
        let status = voxels.withUnsafeMutableBufferPointer {
            cnifti_read_float(url.path, &decoded, $0.baseAddress, Int64($0.count), &message, message.count)
        }
        guard status == CNIFTI_OK else {
            throw VolumeError(
                status == CNIFTI_ERROR_DATA ? .corruptData : .notNIfTI, caseID: caseID,
                file: url.path, detail: text(of: message))
        }
        return (shape, header.bestAffine, voxels)
    }

    private static func writeFloat(
        _ voxels: [Float], shape: GridShape, affine: Affine, to url: URL, datatype: NIfTIDatatype,
        version: NIfTIVersion, slope: Double, intercept: Double, channels: Int = 1
    ) throws(VolumeError) {
        let name = url.lastPathComponent
        guard name.hasSuffix(".nii") || name.hasSuffix(".nii.gz") else {
            throw VolumeError(.writeFailed, file: url.path, detail: "a NIfTI file name ends in .nii or .nii.gz")
        }
        let suffix = name.hasSuffix(".nii.gz") ? ".nii.gz" : ".nii"
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(name.dropLast(suffix.count)).\(UUID().uuidString)\(suffix)")
        var raw = cnifti_header()
        raw.nifti_version = version.rawValue
        let spacing = affine.spacing
        withUnsafeMutableBytes(of: &raw.dim) {
            let dim = $0.bindMemory(to: Int64.self)
            for index in 0..<8 { dim[index] = 1 }
            dim[0] = channels > 1 ? 4 : 3
            dim[1] = Int64(shape.x)
            dim[2] = Int64(shape.y)
            dim[3] = Int64(shape.z)
            dim[4] = Int64(channels)
        }
        withUnsafeMutableBytes(of: &raw.pixdim) {
            let pixdim = $0.bindMemory(to: Double.self)
            for index in 0..<8 { pixdim[index] = 1 }
            pixdim[1] = spacing.x
            pixdim[2] = spacing.y
            pixdim[3] = spacing.z
        }
        raw.datatype = datatype.rawValue
        raw.scl_slope = slope
        raw.scl_inter = intercept
        raw.sform_code = 2
        raw.qform_code = 2
        _ = withUnsafeMutableBytes(of: &raw.sform) { $0.bindMemory(to: Double.self).update(from: affine.elements) }
        _ = withUnsafeMutableBytes(of: &raw.qform) { $0.bindMemory(to: Double.self).update(from: affine.elements) }
        var message = [CChar](repeating: 0, count: 512)
        let status = voxels.withUnsafeBufferPointer {
            cnifti_write_float(temporary.path, &raw, $0.baseAddress, &message, message.count)
        }
        guard status == CNIFTI_OK else {
            try? FileManager.default.removeItem(at: temporary)
            throw VolumeError(.writeFailed, file: url.path, detail: text(of: message))
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw VolumeError(
                .writeFailed, file: url.path, detail: "cannot move the written file into place: \(reason)")
        }
    }

    private static func text(of message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func fileSize(_ url: URL) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue
    }

    private static func isGzip(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 2)) ?? Data()
        return magic == Data([0x1f, 0x8b])
    }
}
