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
            for axis in 0..<3 {
                CubicBSpline.prefilter(buffer.baseAddress!, along: AxisLayout(volume.shape, axis: axis))
            }
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
        let i0 = Int(fx) - 1, j0 = Int(fy) - 1, k0 = Int(fz) - 1
        let ix = (
            CubicBSpline.mirror(i0, shape.x), CubicBSpline.mirror(i0 + 1, shape.x),
            CubicBSpline.mirror(i0 + 2, shape.x), CubicBSpline.mirror(i0 + 3, shape.x)
        )
        let shape = self.shape
        return coefficients.withUnsafeBufferPointer { c in
            func line(_ j: Int, _ k: Int) -> Double {
                let row = shape.x * (CubicBSpline.mirror(j, shape.y) + shape.y * k)
                return wx.0 * Double(c[row + ix.0]) + wx.1 * Double(c[row + ix.1])
                    + wx.2 * Double(c[row + ix.2]) + wx.3 * Double(c[row + ix.3])
            }
            func plane(_ k: Int) -> Double {
                let slab = CubicBSpline.mirror(k, shape.z)
                return wy.0 * line(j0, slab) + wy.1 * line(j0 + 1, slab) + wy.2 * line(j0 + 2, slab) + wy.3
                    * line(j0 + 3, slab)
            }
            return Float(wz.0 * plane(k0) + wz.1 * plane(k0 + 1) + wz.2 * plane(k0 + 2) + wz.3 * plane(k0 + 3))
        }
    }

    /// The image sampled on another grid through world space; voxels outside the image are 0.
    /// `coverage` is the fraction of the new grid that falls inside the image.
    public func resampled(
        onto shape: GridShape, affine target: Affine
    ) throws(VolumeError) -> (volume: Volume, coverage: Double) {
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
