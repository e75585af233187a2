import Volume

/// What `volume info` reports about one NIfTI file.
struct VolumeDescription: Codable, Sendable, Equatable {
    struct ValueRange: Codable, Sendable, Equatable {
        var min: Double
        var max: Double
        var mean: Double
        /// NaN or infinite voxels, left out of min, max and mean.
        var nonFiniteVoxels: Int
    }

    var file: String
    var niftiVersion: Int
    /// The NIfTI datatype name (uint8, int16, float32, …).
    var datatype: String
    var shape: [Int]
    /// Voxel size along i, j, k in mm.
    var spacing: [Double]
    /// Voxel index to RAS+ world mm, four rows of four.
    var affine: [[Double]]
    /// nibabel's axis codes (RAS, LPS, …).
    var orientation: String
    var qformCode: Int
    var sformCode: Int
    /// scl_slope and scl_inter: stored value · slope + intercept is the voxel value (slope 0: unscaled).
    var scaleSlope: Double
    var scaleIntercept: Double
    var values: ValueRange

    init(file: String, info: NIfTIFileInfo, volume: Volume) throws(VolumeError) {
        self.file = file
        niftiVersion = info.version
        datatype = info.datatype.map { "\($0)" } ?? "code \(info.datatypeCode)"
        shape = info.dimensions
        let spacing = volume.spacing
        self.spacing = [spacing.x, spacing.y, spacing.z]
        affine = (0..<4).map { row in (0..<4).map { volume.affine[row, $0] } }
        orientation = try volume.axisCodes().description
        qformCode = info.qformCode
        sformCode = info.sformCode
        scaleSlope = info.slope
        scaleIntercept = info.intercept
        values = Self.range(of: volume.voxels)
    }

    private static func range(of voxels: [Float]) -> ValueRange {
        var low = Double.infinity, high = -Double.infinity, sum = 0.0, finite = 0
        for voxel in voxels where voxel.isFinite {
            let value = Double(voxel)
            low = Swift.min(low, value)
            high = Swift.max(high, value)
            sum += value
            finite += 1
        }
        return finite == 0
            ? ValueRange(min: .nan, max: .nan, mean: .nan, nonFiniteVoxels: voxels.count)
            : ValueRange(min: low, max: high, mean: sum / Double(finite), nonFiniteVoxels: voxels.count - finite)
    }

    var text: String {
        func list(_ values: [Double]) -> String { values.map(TextFormat.number).joined(separator: " × ") }
        var pairs: [(String, String)] = [
            ("file", file),
            ("format", "NIfTI-\(niftiVersion)"),
            ("datatype", datatype),
            ("shape", shape.map(String.init).joined(separator: " × ")),
            ("spacing (mm)", list(spacing)),
            ("orientation", orientation),
            ("qform/sform", "\(qformCode)/\(sformCode)"),
        ]
        if scaleSlope != 0, scaleSlope != 1 || scaleIntercept != 0 {
            pairs.append(
                ("scaling", "slope \(TextFormat.number(scaleSlope)), intercept \(TextFormat.number(scaleIntercept))"))
        }
        pairs.append(
            (
                "values",
                "min \(TextFormat.number(values.min)), max \(TextFormat.number(values.max)), mean \(TextFormat.number(values.mean))"
            ))
        if values.nonFiniteVoxels > 0 { pairs.append(("non-finite", "\(values.nonFiniteVoxels) voxels")) }
        let rows = affine.map { row in row.map { String(format: "%10.4f", $0) }.joined(separator: " ") }
        pairs.append(("affine", rows[0]))
        let indent = String(repeating: " ", count: (pairs.map(\.0.count).max() ?? 0) + 2)
        return (TextFormat.fields(pairs) + rows.dropFirst().map { indent + $0 })
            .joined(separator: "\n") + "\n"
    }
}
