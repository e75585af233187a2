import Statistics

/// The paper's Fig. 3 kind of picture: one axial slice of a case in grey, with the outlines of the
/// predicted and the true tumor drawn over it, so a reader sees where a model misses.
///
/// Volumes are given as voxel arrays on one grid, x fastest then y then z (NIfTI's order). The
/// slice shown is the axial (constant z) slice with the largest true tumor area, or the largest
/// predicted area when the truth is empty. Pixels are drawn as stored: column = x, row = y, which
/// for LPS-oriented volumes (what ingest writes) puts anterior at the top and the patient's left
/// on the right, the radiological convention.
public struct SliceOverlay: Sendable {
    public static let truthColour: (red: UInt8, green: UInt8, blue: UInt8) = (0, 200, 0)
    public static let predictionColour: (red: UInt8, green: UInt8, blue: UInt8) = (230, 30, 30)
    /// Where both outlines pass.
    public static let sharedColour: (red: UInt8, green: UInt8, blue: UInt8) = (255, 220, 0)

    /// The axial slice index drawn.
    public let slice: Int
    public let image: PNGImage

    /// - Parameters:
    ///   - scale: each voxel becomes a `scale` × `scale` block of pixels.
    public init(
        shape: (x: Int, y: Int, z: Int), image voxels: [Float], prediction: [UInt8], truth: [UInt8],
        scale: Int = 1
    ) throws(StatisticsError) {
        let count = shape.x * shape.y * shape.z
        guard count > 0, scale >= 1 else {
            throw StatisticsError(
                .invalidParameter, subject: "overlay", detail: "an empty grid \(shape) or scale \(scale)")
        }
        guard voxels.count == count, prediction.count == count, truth.count == count else {
            throw StatisticsError(
                .mismatchedInputs, subject: "overlay",
                detail: "grid \(shape.x)×\(shape.y)×\(shape.z) has \(count) voxels; image \(voxels.count), "
                    + "prediction \(prediction.count), truth \(truth.count)")
        }
        let plane = shape.x * shape.y
        func area(_ mask: [UInt8], _ z: Int) -> Int {
            mask[(z * plane)..<((z + 1) * plane)].reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
        let truthAreas = (0..<shape.z).map { area(truth, $0) }
        let areas = truthAreas.contains { $0 > 0 } ? truthAreas : (0..<shape.z).map { area(prediction, $0) }
        slice = areas.indices.max { areas[$0] < areas[$1] || (areas[$0] == areas[$1] && $0 > $1) } ?? 0

        let offset = slice * plane
        let grey = Self.greyLevels(voxels[offset..<(offset + plane)])
        var picture = PNGImage(width: shape.x * scale, height: shape.y * scale)
        for y in 0..<shape.y {
            for x in 0..<shape.x {
                let index = y * shape.x + x
                func onOutline(_ mask: [UInt8]) -> Bool {
                    guard mask[offset + index] != 0 else { return false }
                    return x == 0 || y == 0 || x == shape.x - 1 || y == shape.y - 1
                        || mask[offset + index - 1] == 0 || mask[offset + index + 1] == 0
                        || mask[offset + index - shape.x] == 0 || mask[offset + index + shape.x] == 0
                }
                let colour =
                    switch (onOutline(truth), onOutline(prediction)) {
                    case (true, true): Self.sharedColour
                    case (true, false): Self.truthColour
                    case (false, true): Self.predictionColour
                    case (false, false): (grey[index], grey[index], grey[index])
                    }
                for dy in 0..<scale {
                    for dx in 0..<scale { picture[x * scale + dx, y * scale + dy] = colour }
                }
            }
        }
        image = picture
    }

    /// Intensities mapped linearly to 0–255 between the slice's 1st and 99th percentiles, so a
    /// few bright voxels do not wash out the anatomy.
    private static func greyLevels(_ values: ArraySlice<Float>) -> [UInt8] {
        let finite = values.filter(\.isFinite).sorted()
        guard let first = finite.first else { return [UInt8](repeating: 0, count: values.count) }
        let low = finite[Int(Double(finite.count - 1) * 0.01)]
        let high = finite[Int(Double(finite.count - 1) * 0.99)]
        let span = high > low ? high - low : max(1, abs(first))
        return values.map { value in
            guard value.isFinite else { return 0 }
            return UInt8(max(0, min(255, ((value - low) / span * 255).rounded())))
        }
    }
}
