/// Trilinear upsampling by 2 with PyTorch's `align_corners=False` convention, on channels-last
/// activations `[N, D, H, W, C]`.
///
/// Output index `o` samples the input at `(o + 0.5) / 2 − 0.5`, clamped below at 0, so each output
/// voxel mixes two neighbours per axis with weights 3/4 and 1/4 and borders replicate. Trilinear
/// interpolation is separable: the layer interpolates along x, then y, then z; the backward pass
/// applies the transposed 1D operators in reverse order.
public final class TrilinearUpsample: Layer {
    private var inputShape: [Int] = []

    public init() {}

    public func callAsFunction(_ x: consuming Tensor) -> Tensor {
        inputShape = x.shape
        let (n, d, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        let alongX = Self.interpolate(x.scalars, outer: n * d * h, length: w, inner: c)
        let alongY = Self.interpolate(alongX, outer: n * d, length: h, inner: 2 * w * c)
        let alongZ = Self.interpolate(alongY, outer: n, length: d, inner: 4 * h * w * c)
        return Tensor(shape: [n, 2 * d, 2 * h, 2 * w, c], scalars: alongZ)
    }

    public func backward(_ dy: consuming Tensor) -> Tensor {
        let (n, d, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3], inputShape[4])
        let alongZ = Self.transposed(dy.scalars, outer: n, length: d, inner: 4 * h * w * c)
        let alongY = Self.transposed(alongZ, outer: n * d, length: h, inner: 2 * w * c)
        let alongX = Self.transposed(alongY, outer: n * d * h, length: w, inner: c)
        return Tensor(shape: inputShape, scalars: alongX)
    }

    /// Source indices and weights of output index `o` along an axis of `length` input samples.
    @inline(__always)
    static func taps(_ o: Int, length: Int) -> (Int, Int, Float, Float) {
        let source = max(0, (Float(o) + 0.5) * 0.5 - 0.5)
        let i0 = min(Int(source), length - 1)
        let i1 = min(i0 + 1, length - 1)
        let lambda = source - Float(i0)
        return (i0, i1, 1 - lambda, lambda)
    }

    /// Elements of `inner` one task handles: an outer index's rows are split into blocks this wide, so
    /// that the depth pass, whose `outer` is only the batch, still spreads over the workers.
    static let innerBlock = 4096

    /// Runs `body(outer index, inner range)` over every block of every outer index, concurrently.
    private static func overBlocks(outer: Int, inner: Int, _ body: (Int, Range<Int>) -> Void) {
        let blocks = (inner + innerBlock - 1) / innerBlock
        ComputeThreads.parallelRanges(outer * blocks) { range in
            for task in range {
                let start = task % blocks * innerBlock
                body(task / blocks, start..<min(inner, start + innerBlock))
            }
        }
    }

    /// `[outer, length, inner]` → `[outer, 2·length, inner]`.
    static func interpolate(_ input: [Float], outer: Int, length: Int, inner: Int) -> [Float] {
        var output = [Float](unsafeUninitializedCapacity: outer * 2 * length * inner) { _, n in
            n = outer * 2 * length * inner
        }
        let taps = (0..<(2 * length)).map { Self.taps($0, length: length) }
        output.withUnsafeMutableBufferPointer { op in
            input.withUnsafeBufferPointer { ip in
                let out = SharedPointer(op.baseAddress!), src = UncheckedSendable(ip.baseAddress!)
                let table = UncheckedSendable(taps)
                overBlocks(outer: outer, inner: inner) { o, block in
                    let from = src.value + o * length * inner
                    let to = out.base + o * 2 * length * inner
                    for j in 0..<(2 * length) {
                        let (i0, i1, w0, w1) = table.value[j]
                        let a = from + i0 * inner, b = from + i1 * inner, t = to + j * inner
                        for i in block { t[i] = w0 * a[i] + w1 * b[i] }
                    }
                }
            }
        }
        return output
    }

    /// The transpose of `interpolate`: `[outer, 2·length, inner]` → `[outer, length, inner]`.
    static func transposed(_ gradient: [Float], outer: Int, length: Int, inner: Int) -> [Float] {
        var output = [Float](repeating: 0, count: outer * length * inner)
        let taps = (0..<(2 * length)).map { Self.taps($0, length: length) }
        output.withUnsafeMutableBufferPointer { op in
            gradient.withUnsafeBufferPointer { gp in
                let out = SharedPointer(op.baseAddress!), src = UncheckedSendable(gp.baseAddress!)
                let table = UncheckedSendable(taps)
                overBlocks(outer: outer, inner: inner) { o, block in
                    let from = src.value + o * 2 * length * inner
                    let to = out.base + o * length * inner
                    for j in 0..<(2 * length) {
                        let (i0, i1, w0, w1) = table.value[j]
                        let g = from + j * inner, a = to + i0 * inner, b = to + i1 * inner
                        for i in block {
                            a[i] += w0 * g[i]
                            b[i] += w1 * g[i]
                        }
                    }
                }
            }
        }
        return output
    }
}
