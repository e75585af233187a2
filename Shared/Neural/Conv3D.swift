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
/// single-threaded. A 3×3×3 convolution can also take its input as two channel blocks (the U-Net's
/// `[upsampled, skip]`): the column rows of each block are filled from its own tensor, so the
/// concatenation is never materialised, and the input gradient comes back as the same two blocks.
public final class Conv3D: RecordingLayer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let weight: Parameter
    public let bias: Parameter?
    /// The first convolution of a network has no use for the gradient with respect to the image.
    public var computesInputGradient = true
    public var recordsForBackward = true
    /// The input of the last recorded forward pass, as the channel blocks it was given in.
    private var inputs: [Tensor]?

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
        forward([x])
    }

    /// The convolution of the channel concatenation `[first, second]`, without building it.
    public func callAsFunction(concatenating first: Tensor, _ second: Tensor) -> Tensor {
        forward([first, second])
    }

    public func backward(_ dy: consuming Tensor) -> Tensor {
        backwardBlocks(dy)[0]
    }

    /// The input gradient split into the channel blocks the forward pass was given.
    public func backwardBlocks(_ dy: Tensor) -> [Tensor] {
        guard let xs = inputs else { preconditionFailure("Conv3D.backward without a recorded forward pass") }
        inputs = nil
        let x = xs[0]
        precondition(dy.shape == [x.batch, outChannels] + x.spatial)
        let geometry = Im2ColGeometry(depth: x.shape[2], height: x.shape[3], width: x.shape[4])
        if let bias { accumulateBiasGradient(dy, into: bias) }
        accumulateWeightGradient(xs, dy: dy, geometry: geometry)
        guard computesInputGradient else { return xs.map { Tensor(zeros: $0.shape) } }
        let flipped = flippedWeights()
        let blockChannels = xs.map(\.channels)
        let voxels = geometry.voxels
        let scalars = Self.uninitializedArrays(counts: xs.map(\.count)[...]) { outputs in
            dy.scalars.withUnsafeBufferPointer { dyp in
                flipped.withUnsafeBufferPointer { wp in
                    for n in 0..<x.batch {
                        var firstRow = 0
                        let blocks = zip(blockChannels, outputs).map { channels, output in
                            defer { firstRow += channels }
                            return OutputBlock(weights: wp.baseAddress! + firstRow * outChannels * kernelVolume,
                                               channels: channels, output: output + n * channels * voxels)
                        }
                        Self.convolve([InputBlock(pointer: dyp.baseAddress! + n * outChannels * voxels, channels: outChannels)],
                                      into: blocks, kernelSize: kernelSize, geometry: geometry)
                    }
                }
            }
        }
        return zip(xs, scalars).map { Tensor(shape: $0.shape, scalars: $1) }
    }

    private var kernelVolume: Int { kernelSize * kernelSize * kernelSize }

    private func forward(_ xs: [Tensor]) -> Tensor {
        let x = xs[0]
        precondition(xs.allSatisfy { $0.rank == 5 && $0.batch == x.batch && $0.spatial == x.spatial }
                     && xs.reduce(0) { $0 + $1.channels } == inChannels,
                     "Conv3D expects [N, \(inChannels), D, H, W] in total, got \(xs.map(\.shape))")
        precondition(xs.count == 1 || kernelSize == 3, "only 3×3×3 convolutions take channel blocks")
        inputs = recordsForBackward ? xs : nil
        let geometry = Im2ColGeometry(depth: x.shape[2], height: x.shape[3], width: x.shape[4])
        let voxels = geometry.voxels
        var y = Tensor(uninitializedShape: [x.batch, outChannels] + x.spatial)
        y.scalars.withUnsafeMutableBufferPointer { yp in
            Self.withBaseAddresses(xs[...]) { xps in
                weight.value.scalars.withUnsafeBufferPointer { wp in
                    for n in 0..<x.batch {
                        let blocks = zip(xps, xs).map { InputBlock(pointer: $0 + n * $1.channels * voxels, channels: $1.channels) }
                        Self.convolve(blocks, into: [OutputBlock(weights: wp.baseAddress!, channels: outChannels,
                                                                 output: yp.baseAddress! + n * outChannels * voxels)],
                                      kernelSize: kernelSize, geometry: geometry)
                    }
                }
            }
        }
        if let bias {
            addBias(bias.value, to: &y)
        }
        return y
    }

    /// The weights of the input-gradient convolution: `W̃[ci, co, k] = W[co, ci, 26 − k]` for 3×3×3
    /// (a spatial flip), `W̃[ci, co] = W[co, ci]` for 1×1×1.
    private func flippedWeights() -> [Float] {
        let taps = kernelVolume
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

    /// One channel block of a convolution's input (one batch item).
    struct InputBlock {
        let pointer: UnsafePointer<Float>
        let channels: Int
    }

    /// Output channels computed by one GEMM: `weights` holds their rows of the weight matrix.
    struct OutputBlock {
        let weights: UnsafePointer<Float>
        let channels: Int
        let output: UnsafeMutablePointer<Float>
    }

    /// `output[C, V] = weights[C, K] · col(input)[K, V]` for one item, where the column rows of the
    /// input blocks follow each other (block 0's channels first) and each output block is its own GEMM
    /// on the shared column tile.
    static func convolve(_ inputs: [InputBlock], into outputs: [OutputBlock], kernelSize: Int, geometry: Im2ColGeometry) {
        let voxels = geometry.voxels
        let blocks = UncheckedSendable((inputs, outputs))
        if kernelSize == 1 {
            let input = inputs[0]
            ComputeThreads.parallelRanges(voxels, minimumPerWorker: 256) { range in
                for output in blocks.value.1 {
                    gemm(m: output.channels, n: range.count, k: input.channels,
                         a: output.weights, lda: input.channels,
                         b: blocks.value.0[0].pointer + range.lowerBound, ldb: voxels,
                         beta: 0, c: output.output + range.lowerBound, ldc: voxels)
                }
            }
            return
        }
        let rows = inputs.reduce(0) { $0 + $1.channels } * 27
        let linesPerTile = geometry.linesPerTile(rows: rows)
        ComputeThreads.parallelRanges(geometry.lines, minimumPerWorker: 1) { lineRange in
            let column = UnsafeMutablePointer<Float>.allocate(capacity: rows * linesPerTile * geometry.width)
            defer { column.deallocate() }
            var line = lineRange.lowerBound
            while line < lineRange.upperBound {
                let count = min(linesPerTile, lineRange.upperBound - line)
                let tileVoxels = count * geometry.width
                geometry.fill(column: column, inputs: blocks.value.0, firstLine: line, lineCount: count)
                for output in blocks.value.1 {
                    gemm(m: output.channels, n: tileVoxels, k: rows,
                         a: output.weights, lda: rows, b: column, ldb: tileVoxels,
                         beta: 0, c: output.output + line * geometry.width, ldc: voxels)
                }
                line += count
            }
        }
    }

    /// `dW[Cout, K] += Σ_tiles dY[Cout, V] · col(X)[K, V]ᵀ`, one partial sum per worker, reduced in
    /// worker order so that a run with a fixed thread count is reproducible.
    private func accumulateWeightGradient(_ xs: [Tensor], dy: Tensor, geometry: Im2ColGeometry) {
        let rows = inChannels * kernelVolume
        let voxels = geometry.voxels
        let batch = dy.batch
        let workers = max(1, min(ComputeThreads.count, kernelSize == 1 ? voxels / 256 : geometry.lines))
        var partials = [Float](repeating: 0, count: workers * outChannels * rows)
        let outChannels = self.outChannels
        let kernelSize = self.kernelSize
        let blockChannels = xs.map(\.channels)
        partials.withUnsafeMutableBufferPointer { pp in
            Self.withBaseAddresses(xs[...]) { xps in
                dy.scalars.withUnsafeBufferPointer { dyp in
                    let partial = SharedPointer(pp.baseAddress!)
                    let sources = UncheckedSendable(xps)
                    let dys = UncheckedSendable(dyp.baseAddress!)
                    let linesPerTile = geometry.linesPerTile(rows: rows)
                    ComputeThreads.run(workers: workers) { worker in
                        let dw = partial.base + worker * outChannels * rows
                        let units = kernelSize == 1 ? voxels : geometry.lines
                        let start = units * worker / workers
                        let end = units * (worker + 1) / workers
                        guard start < end else { return }
                        if kernelSize == 1 {
                            for n in 0..<batch {
                                gemm(transposeB: true, m: outChannels, n: rows, k: end - start,
                                     a: dys.value + n * outChannels * voxels + start, lda: voxels,
                                     b: sources.value[0] + n * rows * voxels + start, ldb: voxels,
                                     beta: 1, c: dw, ldc: rows)
                            }
                            return
                        }
                        let column = UnsafeMutablePointer<Float>.allocate(capacity: rows * linesPerTile * geometry.width)
                        defer { column.deallocate() }
                        for n in 0..<batch {
                            let blocks = zip(sources.value, blockChannels).map {
                                InputBlock(pointer: $0 + n * $1 * voxels, channels: $1)
                            }
                            var line = start
                            while line < end {
                                let count = min(linesPerTile, end - line)
                                let tileVoxels = count * geometry.width
                                geometry.fill(column: column, inputs: blocks, firstLine: line, lineCount: count)
                                gemm(transposeB: true, m: outChannels, n: rows, k: tileVoxels,
                                     a: dys.value + n * outChannels * voxels + line * geometry.width, lda: voxels,
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

    /// Calls `body` with the base addresses of all `tensors`, valid for the duration of the call.
    private static func withBaseAddresses<R>(_ tensors: ArraySlice<Tensor>, acquired: [UnsafePointer<Float>] = [],
                                             _ body: ([UnsafePointer<Float>]) -> R) -> R {
        guard let first = tensors.first else { return body(acquired) }
        return first.scalars.withUnsafeBufferPointer {
            withBaseAddresses(tensors.dropFirst(), acquired: acquired + [$0.baseAddress!], body)
        }
    }

    /// Arrays of the given sizes that `fill` must initialise completely through the pointers it gets.
    private static func uninitializedArrays(counts: ArraySlice<Int>, acquired: [UnsafeMutablePointer<Float>] = [],
                                            _ fill: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
        guard let count = counts.first else {
            fill(acquired)
            return []
        }
        var rest: [[Float]] = []
        let array = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            rest = uninitializedArrays(counts: counts.dropFirst(), acquired: acquired + [buffer.baseAddress!], fill)
            initialized = count
        }
        return [array] + rest
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
