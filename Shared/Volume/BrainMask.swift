/// Brain masks as label volumes (1 inside, 0 outside).
public enum BrainMask {
    /// Voxels that are nonzero in any of the images: BraTS inputs are skull-stripped with zero
    /// background, so this is the brain. The images must share a grid.
    public static func nonzero(_ images: [Volume]) -> LabelVolume {
        precondition(!images.isEmpty, "a mask needs at least one image")
        var mask = [UInt8](repeating: 0, count: images[0].shape.count)
        for image in images {
            precondition(image.shape == images[0].shape, "images of one mask share their grid")
            for (index, value) in image.voxels.enumerated() where value != 0 { mask[index] = 1 }
        }
        return LabelVolume(shape: images[0].shape, affine: images[0].affine, voxels: mask)
    }

    /// The smallest box holding every nonzero voxel, as inclusive lower and exclusive upper indices;
    /// nil for an empty mask.
    public static func boundingBox(_ mask: LabelVolume) -> (lower: SIMD3<Int>, upper: SIMD3<Int>)? {
        let shape = mask.shape
        var lower = SIMD3(shape.x, shape.y, shape.z)
        var upper = SIMD3(0, 0, 0)
        var index = 0
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x {
                    if mask.voxels[index] != 0 {
                        lower = pointwiseMin(lower, SIMD3(i, j, k))
                        upper = pointwiseMax(upper, SIMD3(i + 1, j + 1, k + 1))
                    }
                    index += 1
                }
            }
        }
        return upper.x > 0 ? (lower, upper) : nil
    }

    /// The mask with every region not connected to the grid's border filled in (6-connectivity): the
    /// enclosed inside of a closed shell, or a brain without its ventricles' holes.
    public static func filledHoles(_ mask: [Bool], shape: GridShape) -> [Bool] {
        var outside = [Bool](repeating: false, count: shape.count)
        var stack: [Int] = []
        func push(_ i: Int, _ j: Int, _ k: Int) {
            let index = shape.offset(i, j, k)
            if !mask[index] && !outside[index] {
                outside[index] = true
                stack.append(index)
            }
        }
        for k in 0..<shape.z {
            for j in 0..<shape.y {
                for i in 0..<shape.x
                where i == 0 || j == 0 || k == 0 || i == shape.x - 1 || j == shape.y - 1 || k == shape.z - 1 {
                    push(i, j, k)
                }
            }
        }
        while let index = stack.popLast() {
            let i = index % shape.x, j = (index / shape.x) % shape.y, k = index / (shape.x * shape.y)
            if i > 0 { push(i - 1, j, k) }
            if i + 1 < shape.x { push(i + 1, j, k) }
            if j > 0 { push(i, j - 1, k) }
            if j + 1 < shape.y { push(i, j + 1, k) }
            if k > 0 { push(i, j, k - 1) }
            if k + 1 < shape.z { push(i, j, k + 1) }
        }
        return outside.map { !$0 }
    }
}

extension VoxelGrid {
    /// The voxels in the box [lower, upper) (clamped to the grid), with the affine moved so each kept
    /// voxel stays where it was in the world.
    public func cropped(lower: SIMD3<Int>, upper: SIMD3<Int>) -> VoxelGrid {
        let low = pointwiseMax(lower, SIMD3(0, 0, 0))
        let high = pointwiseMin(upper, SIMD3(shape.x, shape.y, shape.z))
        let newShape = GridShape(max(high.x - low.x, 0), max(high.y - low.y, 0), max(high.z - low.z, 0))
        var newVoxels: [Voxel] = []
        newVoxels.reserveCapacity(newShape.count)
        for k in low.z..<high.z {
            for j in low.y..<high.y {
                let row = shape.offset(0, j, k)
                newVoxels.append(contentsOf: voxels[(row + low.x)..<(row + high.x)])
            }
        }
        let shift = Affine.translation(Double(low.x), Double(low.y), Double(low.z))
        return VoxelGrid(shape: newShape, affine: affine * shift, voxels: newVoxels)
    }
}

extension VoxelGrid where Voxel == Float {
    /// Intensities standardised to zero mean and unit variance over the mask, zero outside it, so
    /// that scanners and contrasts with different intensity scales feed the network alike.
    public func zScored(inside mask: LabelVolume) -> Volume {
        precondition(mask.shape == shape, "the mask shares the image's grid")
        var sum = 0.0
        var count = 0
        for (value, inside) in zip(voxels, mask.voxels) where inside != 0 {
            sum += Double(value)
            count += 1
        }
        guard count > 0 else {
            return Volume(shape: shape, affine: affine, voxels: .init(repeating: 0, count: shape.count))
        }
        let mean = sum / Double(count)
        var squares = 0.0
        for (value, inside) in zip(voxels, mask.voxels) where inside != 0 {
            squares += (Double(value) - mean) * (Double(value) - mean)
        }
        let deviation = (squares / Double(count)).squareRoot()
        let scale = deviation > 0 ? Float(1 / deviation) : 1
        let centre = Float(mean)
        let normalised = zip(voxels, mask.voxels).map { value, inside in inside != 0 ? (value - centre) * scale : 0 }
        return Volume(shape: shape, affine: affine, voxels: normalised)
    }
}
