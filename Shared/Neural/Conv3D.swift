import SeededRandom

/// 3D convolution with stride 1 on channels-last activations `[N, D, H, W, C]`: a 3×3×3 kernel with
/// zero padding 1, or a 1×1×1 kernel. Weights are `[Cout, Cin, k, k, k]`, PyTorch's layout.
///
/// 3×3×3 convolutions run on oneDNN's direct kernels through a `ConvolutionPlan` per input shape, in
/// the layer's `precision` (bf16 falls back to fp32 on CPUs without bfloat16 kernels), reading and
/// writing the layer's tensors in place. They can take their input as two channel blocks (the
/// U-Net's `[upsampled, skip]`): the plan gathers the blocks into its own operand buffer, so the
/// concatenation is never materialised, and the input gradient comes back as the same two blocks.
///
/// 1×1×1 convolutions (the head) are GEMMs over voxel rows on OpenBLAS, in fp32 (row-major; `R` =
/// voxel rows of the whole batch): forward `Y[R, Cout] = X[R, Cin] · Wᵀ`, weight gradient
/// `dW += dYᵀ · X` summed per worker then reduced, input gradient `dX = dY · W`.
public final class Conv3D: RecordingLayer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let weight: Parameter
    public let bias: Parameter?
    /// The first convolution of a network has no use for the gradient with respect to the image.
    public var computesInputGradient = true
    public var recordsForBackward = true
    /// The arithmetic of a 3×3×3 convolution; the 1×1×1 head always computes in fp32.
    public var precision: Precision = .fp32 {
        didSet { if precision != oldValue { plans = [:] } }
    }
    /// The input of the last recorded forward pass, as the channel blocks it was given in.
    private var inputs: [Tensor]?
    /// oneDNN plans by input shape `[N, D, H, W]` and thread count: training meets one patch shape,
    /// inference a few.
    private var plans: [[Int]: ConvolutionPlan] = [:]

    /// He (Kaiming normal, fan-in) initialisation from `generator`; biases start at zero.
    public convenience init(
        inChannels: Int, outChannels: Int, kernelSize: Int, bias: Bool,
        generator: inout SeededGenerator
    ) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, bias: bias)
        let std = (2.0 / Double(rowsPerVoxel)).squareRoot()
        weight.value = Tensor(
            shape: weight.value.shape,
            scalars: (0..<weight.value.count).map { _ in Float(generator.nextGaussian() * std) })
    }

    /// Zero weights and biases, for weights that are loaded next.
    init(inChannels: Int, outChannels: Int, kernelSize: Int, bias: Bool) {
        precondition(kernelSize == 1 || kernelSize == 3, "kernel size must be 1 or 3")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        weight = Parameter(Tensor(zeros: [outChannels, inChannels, kernelSize, kernelSize, kernelSize]))
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
        precondition(dy.shape == [x.batch] + x.channelsLastSpatial + [outChannels])
        if let bias { accumulateBiasGradient(dy, into: bias) }
        guard kernelSize == 3 else { return [backwardPointwise(x, dy: dy)] }
        let plan = plan(for: x)
        let blockChannels = xs.map(\.trailingChannels)
        let weights = weight.value
        let computesInputGradient = self.computesInputGradient
        var inputGradients: [[Float]] = []
        Self.withBaseAddresses(xs[...]) { xps in
            weights.scalars.withUnsafeBufferPointer { wp in
                dy.scalars.withUnsafeBufferPointer { dyp in
                    weight.gradient.scalars.withUnsafeMutableBufferPointer { gp in
                        guard computesInputGradient else {
                            plan.backward(
                                inputs: xps, blockChannels: blockChannels, weights: wp.baseAddress!,
                                outputGradient: dyp.baseAddress!, weightGradient: gp.baseAddress!,
                                inputGradients: nil)
                            return
                        }
                        inputGradients = Self.uninitializedArrays(counts: xs.map(\.count)[...]) { outputs in
                            plan.backward(
                                inputs: xps, blockChannels: blockChannels, weights: wp.baseAddress!,
                                outputGradient: dyp.baseAddress!, weightGradient: gp.baseAddress!,
                                inputGradients: outputs)
                        }
                    }
                }
            }
        }
        guard computesInputGradient else { return xs.map { Tensor(zeros: $0.shape) } }
        return zip(xs, inputGradients).map { Tensor(shape: $0.shape, scalars: $1) }
    }

    /// The kernels oneDNN runs for an input of `shape` `[N, D, H, W, C]`, for benchmarks and logs.
    public func implementation(forInputShape shape: [Int]) -> String {
        kernelSize == 3 ? plan(for: Tensor(uninitializedShape: shape)).implementation : "OpenBLAS sgemm (1×1×1)"
    }

    private func plan(for x: Tensor) -> ConvolutionPlan {
        let threads = ComputeThreads.count
        let key = [x.batch] + x.channelsLastSpatial + [threads]
        if let plan = plans[key] { return plan }
        let plan = ConvolutionPlan(
            batch: x.batch, inChannels: inChannels, outChannels: outChannels,
            spatial: x.channelsLastSpatial, precision: precision, threads: threads)
        plans[key] = plan
        return plan
    }

    private func forward(_ xs: [Tensor]) -> Tensor {
        let x = xs[0]
        precondition(
            xs.allSatisfy { $0.rank == 5 && $0.batch == x.batch && $0.channelsLastSpatial == x.channelsLastSpatial }
                && xs.reduce(0) { $0 + $1.trailingChannels } == inChannels,
            "Conv3D expects [N, D, H, W, \(inChannels)] in total, got \(xs.map(\.shape))")
        precondition(xs.count == 1 || kernelSize == 3, "only 3×3×3 convolutions take channel blocks")
        inputs = recordsForBackward ? xs : nil
        var y = Tensor(uninitializedShape: [x.batch] + x.channelsLastSpatial + [outChannels])
        if kernelSize == 3 {
            let plan = plan(for: x)
            y.scalars.withUnsafeMutableBufferPointer { yp in
                Self.withBaseAddresses(xs[...]) { xps in
                    weight.value.scalars.withUnsafeBufferPointer { wp in
                        plan.forward(
                            inputs: xps, blockChannels: xs.map(\.trailingChannels), weights: wp.baseAddress!,
                            output: yp.baseAddress!)
                    }
                }
            }
        } else {
            forwardPointwise(x, into: &y)
        }
        if let bias {
            addBias(bias.value, to: &y)
        }
        return y
    }

    /// `Y[R, Cout] = X[R, Cin] · Wᵀ`, split into voxel row ranges.
    private func forwardPointwise(_ x: Tensor, into y: inout Tensor) {
        let (inChannels, outChannels) = (self.inChannels, self.outChannels)
        y.scalars.withUnsafeMutableBufferPointer { yp in
            x.scalars.withUnsafeBufferPointer { xp in
                weight.value.scalars.withUnsafeBufferPointer { wp in
                    let pointers = UncheckedSendable((xp.baseAddress!, wp.baseAddress!, yp.baseAddress!))
                    ComputeThreads.parallelRanges(x.voxelRows, minimumPerWorker: 256) { range in
                        let (xs, w, ys) = pointers.value
                        gemm(
                            transposeB: true, m: range.count, n: outChannels, k: inChannels,
                            a: xs + range.lowerBound * inChannels, lda: inChannels, b: w, ldb: inChannels,
                            beta: 0, c: ys + range.lowerBound * outChannels, ldc: outChannels)
                    }
                }
            }
        }
    }

    /// The 1×1×1 backward pass: `dW += Σ dYᵀ · X` (one partial sum per worker, reduced in worker
    /// order so a run with a fixed thread count is reproducible) and `dX = dY · W`.
    private func backwardPointwise(_ x: Tensor, dy: Tensor) -> Tensor {
        let rows = x.voxelRows
        let (inChannels, outChannels) = (self.inChannels, self.outChannels)
        let workers = max(1, min(ComputeThreads.count, rows / 256))
        let size = outChannels * inChannels
        var partials = [Float](repeating: 0, count: workers * size)
        partials.withUnsafeMutableBufferPointer { pp in
            x.scalars.withUnsafeBufferPointer { xp in
                dy.scalars.withUnsafeBufferPointer { dyp in
                    let partial = SharedPointer(pp.baseAddress!)
                    let pointers = UncheckedSendable((xp.baseAddress!, dyp.baseAddress!))
                    ComputeThreads.run(workers: workers) { worker in
                        let start = rows * worker / workers, end = rows * (worker + 1) / workers
                        guard start < end else { return }
                        gemm(
                            transposeA: true, m: outChannels, n: inChannels, k: end - start,
                            a: pointers.value.1 + start * outChannels, lda: outChannels,
                            b: pointers.value.0 + start * inChannels, ldb: inChannels,
                            beta: 1, c: partial.base + worker * size, ldc: inChannels)
                    }
                }
            }
        }
        weight.gradient.scalars.withUnsafeMutableBufferPointer { g in
            for w in 0..<workers {
                for i in 0..<size { g[i] += partials[w * size + i] }
            }
        }
        guard computesInputGradient else { return Tensor(zeros: x.shape) }
        var dx = Tensor(uninitializedShape: x.shape)
        dx.scalars.withUnsafeMutableBufferPointer { dxp in
            dy.scalars.withUnsafeBufferPointer { dyp in
                weight.value.scalars.withUnsafeBufferPointer { wp in
                    let pointers = UncheckedSendable((dyp.baseAddress!, wp.baseAddress!, dxp.baseAddress!))
                    ComputeThreads.parallelRanges(rows, minimumPerWorker: 256) { range in
                        let (d, w, out) = pointers.value
                        gemm(
                            m: range.count, n: inChannels, k: outChannels, a: d + range.lowerBound * outChannels,
                            lda: outChannels, b: w, ldb: inChannels,
                            beta: 0, c: out + range.lowerBound * inChannels, ldc: inChannels)
                    }
                }
            }
        }
        return dx
    }

    /// Calls `body` with the base addresses of all `tensors`, valid for the duration of the call.
    private static func withBaseAddresses<R>(
        _ tensors: ArraySlice<Tensor>, acquired: [UnsafePointer<Float>] = [],
        _ body: ([UnsafePointer<Float>]) -> R
    ) -> R {
        guard let first = tensors.first else { return body(acquired) }
        return first.scalars.withUnsafeBufferPointer {
            withBaseAddresses(tensors.dropFirst(), acquired: acquired + [$0.baseAddress!], body)
        }
    }

    /// Arrays of the given sizes that `fill` must initialise completely through the pointers it gets.
    private static func uninitializedArrays(
        counts: ArraySlice<Int>, acquired: [UnsafeMutablePointer<Float>] = [],
        _ fill: ([UnsafeMutablePointer<Float>]) -> Void
    ) -> [[Float]] {
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
        let channels = outChannels
        let rows = y.voxelRows
        y.scalars.withUnsafeMutableBufferPointer { yp in
            bias.scalars.withUnsafeBufferPointer { b in
                for r in 0..<rows {
                    let row = yp.baseAddress! + r * channels
                    for c in 0..<channels { row[c] += b[c] }
                }
            }
        }
    }

    private func accumulateBiasGradient(_ dy: Tensor, into bias: Parameter) {
        let channels = outChannels
        let totals = dy.scalars.withUnsafeBufferPointer { d in
            let base = UncheckedSendable(d.baseAddress!)
            return Tensor.channelTotals(rows: dy.voxelRows, channels: channels) { range, totals in
                Tensor.addChannelSums(base.value, rows: range, channels: channels, into: totals)
            }
        }
        for c in 0..<channels { bias.gradient.scalars[c] += Float(totals[c]) }
    }
}
