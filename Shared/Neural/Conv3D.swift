import SeededRandom

/// 3D convolution with stride 1: a 3×3×3 kernel with zero padding 1, or a 1×1×1 kernel.
///
/// Both passes are GEMMs over tiles of output voxels (row-major; `V` = voxels of the tile):
/// - forward:  `Y[Cout, V] = W[Cout, K] · col(X)[K, V]`, `K = 27·Cin` (or `Cin` for 1×1×1, where the
///   input itself is the column matrix);
/// - weight gradient: `dW[Cout, K] += dY[Cout, V] · col(X)[K, V]ᵀ`, summed per worker then reduced;
/// - input gradient: a 3×3×3 convolution of `dY` with the kernel flipped in space and its channel
///   axes swapped, `dX[Cin, V] = W̃[Cin, 27·Cout] · col(dY)[27·Cout, V]` — the forward GEMM shape again,
///   so there is no col2im scatter and workers never write the same voxel; for 1×1×1,
///   `dX[Cin, V] = Wᵀ[Cin, Cout] · dY[Cout, V]`.
/// Workers take contiguous runs of image lines; each builds its own column tiles and calls OpenBLAS
/// single-threaded.
public final class Conv3D: RecordingLayer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let weight: Parameter
    public let bias: Parameter?
    /// The first convolution of a network has no use for the gradient with respect to the image.
    public var computesInputGradient = true
    public var recordsForBackward = true
    private var input: Tensor?

    /// He (Kaiming normal, fan-in) initialisation from `generator`; biases start at zero.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, bias: Bool,
                generator: inout SeededGenerator) {
        precondition(kernelSize == 1 || kernelSize == 3, "kernel size must be 1 or 3")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        let fanIn = inChannels * kernelSize * kernelSize * kernelSize
        let std = (2.0 / Double(fanIn)).squareRoot()
        let shape = [outChannels, inChannels, kernelSize, kernelSize, kernelSize]
        let scalars = (0..<shape.reduce(1, *)).map { _ in Float(generator.nextGaussian() * std) }
        weight = Parameter(Tensor(shape: shape, scalars: scalars))
        self.bias = bias ? Parameter(Tensor(zeros: [outChannels])) : nil
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    private var rowsPerVoxel: Int { inChannels * kernelSize * kernelSize * kernelSize }

    public func callAsFunction(_ x: consuming Tensor) -> Tensor {
        precondition(x.rank == 5 && x.channels == inChannels,
                     "Conv3D expects [N, \(inChannels), D, H, W], got \(x.shape)")
        input = recordsForBackward ? x : nil
        let geometry = Im2ColGeometry(depth: x.shape[2], height: x.shape[3], width: x.shape[4])
        var y = Tensor(uninitializedShape: [x.batch, outChannels] + x.spatial)
        let inSize = inChannels * geometry.voxels
        let outSize = outChannels * geometry.voxels
        y.scalars.withUnsafeMutableBufferPointer { yp in
            x.scalars.withUnsafeBufferPointer { xp in
                weight.value.scalars.withUnsafeBufferPointer { wp in
                    for n in 0..<x.batch {
                        Self.convolve(input: xp.baseAddress! + n * inSize, channels: inChannels,
                                      weights: wp.baseAddress!, outChannels: outChannels,
                                      kernelSize: kernelSize, geometry: geometry,
                                      output: yp.baseAddress! + n * outSize)
                    }
                }
            }
        }
        if let bias {
            addBias(bias.value, to: &y)
        }
        return y
    }

    public func backward(_ dy: consuming Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Conv3D.backward without a recorded forward pass") }
        input = nil
        precondition(dy.shape == [x.batch, outChannels] + x.spatial)
        let geometry = Im2ColGeometry(depth: x.shape[2], height: x.shape[3], width: x.shape[4])
        if let bias { accumulateBiasGradient(dy, into: bias) }
        accumulateWeightGradient(x: x, dy: dy, geometry: geometry)
        guard computesInputGradient else { return Tensor(zeros: x.shape) }
        var dx = Tensor(uninitializedShape: x.shape)
        let inSize = inChannels * geometry.voxels
        let outSize = outChannels * geometry.voxels
        let flipped = flippedWeights()
        dx.scalars.withUnsafeMutableBufferPointer { dxp in
            dy.scalars.withUnsafeBufferPointer { dyp in
                flipped.withUnsafeBufferPointer { wp in
                    for n in 0..<x.batch {
                        Self.convolve(input: dyp.baseAddress! + n * outSize, channels: outChannels,
                                      weights: wp.baseAddress!, outChannels: inChannels,
                                      kernelSize: kernelSize, geometry: geometry,
                                      output: dxp.baseAddress! + n * inSize)
                    }
                }
            }
        }
        return dx
    }

    /// The weights of the input-gradient convolution: `W̃[ci, co, k] = W[co, ci, 26 − k]` for 3×3×3
    /// (a spatial flip), `W̃[ci, co] = W[co, ci]` for 1×1×1.
    private func flippedWeights() -> [Float] {
        let taps = kernelSize * kernelSize * kernelSize
        var flipped = [Float](repeating: 0, count: weight.value.count)
        weight.value.scalars.withUnsafeBufferPointer { w in
            for co in 0..<outChannels {
                for ci in 0..<inChannels {
                    for k in 0..<taps {
                        flipped[(ci * outChannels + co) * taps + (taps - 1 - k)] = w[(co * inChannels + ci) * taps + k]
                    }
                }
            }
        }
        return flipped
    }

    /// `output[Cout, V] = weights[Cout, channels·taps] · col(input)[channels·taps, V]` for one item.
    static func convolve(input: UnsafePointer<Float>, channels: Int,
                         weights: UnsafePointer<Float>, outChannels: Int, kernelSize: Int,
                         geometry: Im2ColGeometry, output: UnsafeMutablePointer<Float>) {
        let voxels = geometry.voxels
        let out = SharedPointer(output)
        let source = UncheckedSendable(input)
        let w = UncheckedSendable(weights)
        if kernelSize == 1 {
            ComputeThreads.parallelRanges(voxels, minimumPerWorker: 256) { range in
                gemm(m: outChannels, n: range.count, k: channels,
                     a: w.value, lda: channels,
                     b: source.value + range.lowerBound, ldb: voxels,
                     beta: 0, c: out.base + range.lowerBound, ldc: voxels)
            }
            return
        }
        let rows = channels * 27
        let linesPerTile = geometry.linesPerTile(rows: rows)
        ComputeThreads.parallelRanges(geometry.lines, minimumPerWorker: 1) { lineRange in
            let column = UnsafeMutablePointer<Float>.allocate(capacity: rows * linesPerTile * geometry.width)
            defer { column.deallocate() }
            var line = lineRange.lowerBound
            while line < lineRange.upperBound {
                let count = min(linesPerTile, lineRange.upperBound - line)
                let tileVoxels = count * geometry.width
                geometry.fill(column: column, input: source.value, channels: channels,
                              firstLine: line, lineCount: count)
                let offset = line * geometry.width
                gemm(m: outChannels, n: tileVoxels, k: rows,
                     a: w.value, lda: rows, b: column, ldb: tileVoxels,
                     beta: 0, c: out.base + offset, ldc: voxels)
                line += count
            }
        }
    }

    /// `dW[Cout, K] += Σ_tiles dY[Cout, V] · col(X)[K, V]ᵀ`, one partial sum per worker, reduced in
    /// worker order so that a run with a fixed thread count is reproducible.
    private func accumulateWeightGradient(x: Tensor, dy: Tensor, geometry: Im2ColGeometry) {
        let rows = rowsPerVoxel
        let voxels = geometry.voxels
        let workers = max(1, min(ComputeThreads.count, kernelSize == 1 ? voxels / 256 : geometry.lines))
        var partials = [Float](repeating: 0, count: workers * outChannels * rows)
        let inSize = inChannels * voxels
        let outSize = outChannels * voxels
        let outChannels = self.outChannels
        let inChannels = self.inChannels
        let kernelSize = self.kernelSize
        partials.withUnsafeMutableBufferPointer { pp in
            x.scalars.withUnsafeBufferPointer { xp in
                dy.scalars.withUnsafeBufferPointer { dyp in
                    let partial = SharedPointer(pp.baseAddress!)
                    let xs = UncheckedSendable(xp.baseAddress!)
                    let dys = UncheckedSendable(dyp.baseAddress!)
                    let linesPerTile = geometry.linesPerTile(rows: rows)
                    ComputeThreads.run(workers: workers) { worker in
                        let dw = partial.base + worker * outChannels * rows
                        let units = kernelSize == 1 ? voxels : geometry.lines
                        let start = units * worker / workers
                        let end = units * (worker + 1) / workers
                        guard start < end else { return }
                        if kernelSize == 1 {
                            for n in 0..<x.batch {
                                gemm(transposeB: true, m: outChannels, n: inChannels, k: end - start,
                                     a: dys.value + n * outSize + start, lda: voxels,
                                     b: xs.value + n * inSize + start, ldb: voxels,
                                     beta: 1, c: dw, ldc: rows)
                            }
                            return
                        }
                        let column = UnsafeMutablePointer<Float>.allocate(capacity: rows * linesPerTile * geometry.width)
                        defer { column.deallocate() }
                        for n in 0..<x.batch {
                            var line = start
                            while line < end {
                                let count = min(linesPerTile, end - line)
                                let tileVoxels = count * geometry.width
                                geometry.fill(column: column, input: xs.value + n * inSize, channels: inChannels,
                                              firstLine: line, lineCount: count)
                                gemm(transposeB: true, m: outChannels, n: rows, k: tileVoxels,
                                     a: dys.value + n * outSize + line * geometry.width, lda: voxels,
                                     b: column, ldb: tileVoxels,
                                     beta: 1, c: dw, ldc: rows)
                                line += count
                            }
                        }
                    }
                }
            }
        }
        let size = outChannels * rows
        weight.gradient.scalars.withUnsafeMutableBufferPointer { g in
            for w in 0..<workers {
                for i in 0..<size { g[i] += partials[w * size + i] }
            }
        }
    }

    private func addBias(_ bias: Tensor, to y: inout Tensor) {
        let voxels = y.voxels
        let channels = outChannels
        let batch = y.batch
        y.scalars.withUnsafeMutableBufferPointer { yp in
            bias.scalars.withUnsafeBufferPointer { b in
                for n in 0..<batch {
                    for c in 0..<channels {
                        let base = yp.baseAddress! + (n * channels + c) * voxels
                        let value = b[c]
                        for i in 0..<voxels { base[i] += value }
                    }
                }
            }
        }
    }

    private func accumulateBiasGradient(_ dy: Tensor, into bias: Parameter) {
        let voxels = dy.voxels
        dy.scalars.withUnsafeBufferPointer { d in
            for n in 0..<dy.batch {
                for c in 0..<outChannels {
                    let base = d.baseAddress! + (n * outChannels + c) * voxels
                    bias.gradient.scalars[c] += Float(Tensor.chunkedSum(base, count: voxels))
                }
            }
        }
    }
}
