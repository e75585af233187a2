/// Column building for 3×3×3 convolutions with stride 1 and zero padding 1.
///
/// For a tile of output voxels the column matrix has one row per (input channel, kernel offset),
/// `27·C` rows, and one column per voxel of the tile; multiplying the `Cout × 27·C` weight matrix by
/// it gives the tile's outputs. Tiles are runs of whole image rows (x lines), so every row of the
/// column matrix is filled with a few shifted copies of input lines; the column matrix of a tile is
/// kept small (a few MB) so that building it and consuming it in the GEMM stay in cache, rather than
/// materialising the `27·C × voxels` matrix of the whole volume.
struct Im2ColGeometry {
    let depth: Int
    let height: Int
    let width: Int
    var voxels: Int { depth * height * width }
    var lines: Int { depth * height }

    /// Lines per tile so that a column tile with `rows` rows stays around `targetBytes`.
    func linesPerTile(rows: Int, targetBytes: Int = 6 << 20) -> Int {
        max(1, min(lines, targetBytes / (rows * width * MemoryLayout<Float>.size)))
    }

    /// Fills `column` (`27·C` rows of `lineCount·width` scalars, `C` the channels of all blocks, block 0
    /// first) for the lines `firstLine ..< firstLine + lineCount` of the input blocks
    /// (`channels × depth × height × width` each).
    func fill(column: UnsafeMutablePointer<Float>, inputs: [Conv3D.InputBlock], firstLine: Int, lineCount: Int) {
        var row = 0
        for block in inputs {
            fill(column: column, startingAt: &row, input: block.pointer, channels: block.channels,
                 firstLine: firstLine, lineCount: lineCount)
        }
    }

    private func fill(column: UnsafeMutablePointer<Float>, startingAt row: inout Int, input: UnsafePointer<Float>,
                      channels: Int, firstLine: Int, lineCount: Int) {
        let tileVoxels = lineCount * width
        let planeSize = height * width
        for c in 0..<channels {
            let channelBase = input + c * depth * planeSize
            for kd in 0..<3 {
                for kh in 0..<3 {
                    for kw in 0..<3 {
                        let rowBase = column + row * tileVoxels
                        for l in 0..<lineCount {
                            let line = firstLine + l
                            let z = line / height + kd - 1
                            let y = line % height + kh - 1
                            let dst = rowBase + l * width
                            guard z >= 0, z < depth, y >= 0, y < height else {
                                dst.update(repeating: 0, count: width)
                                continue
                            }
                            let src = channelBase + z * planeSize + y * width
                            switch kw {
                            case 0:
                                dst[0] = 0
                                dst.advanced(by: 1).update(from: src, count: width - 1)
                            case 1:
                                dst.update(from: src, count: width)
                            default:
                                dst.update(from: src.advanced(by: 1), count: width - 1)
                                dst[width - 1] = 0
                            }
                        }
                        row += 1
                    }
                }
            }
        }
    }
}
