/// An image turned into cubic B-spline coefficients, to be sampled anywhere in world space.
///
/// Used where the target grid is not aligned with the image's (T2 onto T1c through their affines);
/// axis-aligned spacing changes use the cheaper separable path in `resampledBSpline(spacing:)`.
public struct BSplineImage: Sendable {
    public let shape: GridShape
    public let affine: Affine
    let coefficients: [Float]

    public init(_ volume: Volume) {
        var data = volume.voxels
        data.withUnsafeMutableBufferPointer { buffer in
            for axis in 0..<3 { CubicBSpline.prefilter(buffer.baseAddress!, along: AxisLayout(volume.shape, axis: axis)) }
        }
        shape = volume.shape
        affine = volume.affine
        coefficients = data
    }

    /// The spline's value at a continuous voxel index, or nil more than half a voxel outside the grid.
    public func value(atIndex x: Double, _ y: Double, _ z: Double) -> Float? {
        guard x >= -0.5, y >= -0.5, z >= -0.5,
              x <= Double(shape.x) - 0.5, y <= Double(shape.y) - 0.5, z <= Double(shape.z) - 0.5
        else { return nil }
        let fx = x.rounded(.down), fy = y.rounded(.down), fz = z.rounded(.down)
        let wx = CubicBSpline.weights(x - fx), wy = CubicBSpline.weights(y - fy), wz = CubicBSpline.weights(z - fz)
        let weightsX = [wx.0, wx.1, wx.2, wx.3], weightsY = [wy.0, wy.1, wy.2, wy.3], weightsZ = [wz.0, wz.1, wz.2, wz.3]
        let ix = (0..<4).map { CubicBSpline.mirror(Int(fx) - 1 + $0, shape.x) }
        let iy = (0..<4).map { CubicBSpline.mirror(Int(fy) - 1 + $0, shape.y) }
        let iz = (0..<4).map { CubicBSpline.mirror(Int(fz) - 1 + $0, shape.z) }
        var sum = 0.0
        for c in 0..<4 {
            var plane = 0.0
            for b in 0..<4 {
                let row = shape.x * (iy[b] + shape.y * iz[c])
                var line = 0.0
                for a in 0..<4 { line += weightsX[a] * Double(coefficients[row + ix[a]]) }
                plane += weightsY[b] * line
            }
            sum += weightsZ[c] * plane
        }
        return Float(sum)
    }

    /// The image sampled on another grid through world space; voxels outside the image are 0.
    /// `coverage` is the fraction of the new grid that falls inside the image.
    public func resampled(onto shape: GridShape, affine target: Affine) throws(VolumeError) -> (volume: Volume, coverage: Double) {
        guard let worldToIndex = affine.inverse else {
            throw VolumeError(.invalidGeometry, detail: "the affine \(affine) is singular")
        }
        let map = worldToIndex * target
        var output = [Float](repeating: 0, count: shape.count)
        var insideBySlab = [Int](repeating: 0, count: shape.z)
        output.withUnsafeMutableBufferPointer { buffer in
            insideBySlab.withUnsafeMutableBufferPointer { inside in
                let out = buffer.baseAddress!
                let counts = inside.baseAddress!
                parallelRanges(shape.z) { slabs in
                    for k in slabs {
                        var count = 0
                        for j in 0..<shape.y {
                            for i in 0..<shape.x {
                                let (x, y, z) = map.apply((Double(i), Double(j), Double(k)))
                                if let value = self.value(atIndex: x, y, z) {
                                    out[shape.offset(i, j, k)] = value
                                    count += 1
                                }
                            }
                        }
                        counts[k] = count
                    }
                }
            }
        }
        let coverage = Double(insideBySlab.reduce(0, +)) / Double(max(shape.count, 1))
        return (Volume(shape: shape, affine: target, voxels: output), coverage)
    }
}
