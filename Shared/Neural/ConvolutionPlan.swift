import CCompute

/// One oneDNN convolution plan: the 3×3×3 convolution of one layer for one input shape, with its
/// kernels chosen and compiled once (oneDNN just-in-time compiles them, which costs milliseconds, so
/// `Conv3D` keeps a plan per shape it meets).
///
/// oneDNN's direct convolution reads channels-last operands straight from memory in cache-sized
/// blocks, without an im2col matrix: the engine's `[N, D, H, W, C]` float32 activations, which a
/// float32 plan convolves in place (a `.bf16` plan converts its operands to bfloat16 first).
final class ConvolutionPlan {
    let precision: Precision
    /// oneDNN's names for the kernels in use, e.g. `forward brgconv:avx512_core_bf16 | …`.
    var implementation: String { String(cString: as_convolution_implementation(handle)) }
    private let handle: OpaquePointer

    /// A plan in `precision`, or in fp32 when this CPU has no bfloat16 instructions or no bfloat16
    /// kernel for the shape, for calls on `threads` workers (oneDNN fixes a kernel's thread count when
    /// it makes the plan).
    init(batch: Int, inChannels: Int, outChannels: Int, spatial: [Int], precision: Precision, threads: Int) {
        var error = [CChar](repeating: 0, count: 512)
        func create(_ precision: Precision) -> OpaquePointer? {
            as_convolution_create(
                Int32(batch), Int32(inChannels), Int32(outChannels), Int32(spatial[0]),
                Int32(spatial[1]), Int32(spatial[2]),
                precision == .bf16 ? AS_PRECISION_BF16 : AS_PRECISION_FP32, Int32(threads), &error, error.count)
        }
        if precision == .bf16, let handle = create(.bf16) {
            self.handle = handle
            self.precision = .bf16
            return
        }
        guard let handle = create(.fp32) else {
            preconditionFailure(
                "oneDNN has no fp32 convolution for \(inChannels)→\(outChannels) on \(spatial): "
                    + Self.message(error))
        }
        self.handle = handle
        self.precision = .fp32
    }

    deinit { as_convolution_destroy(handle) }

    /// The NUL-terminated reason a C call wrote into `buffer`.
    private static func message(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `output = conv(concat(inputs), weights)`; see `as_convolution_forward`.
    func forward(
        inputs: [UnsafePointer<Float>], blockChannels: [Int], weights: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        var error = [CChar](repeating: 0, count: 512)
        let channels = blockChannels.map { Int32($0) }
        let status = inputs.map { Optional($0) }.withUnsafeBufferPointer { ip in
            as_convolution_forward(
                handle, Int32(inputs.count), ip.baseAddress, channels, weights, output,
                Int32(ComputeThreads.count), &error, error.count)
        }
        precondition(status == 0, "oneDNN convolution failed: " + Self.message(error))
    }

    /// Adds the weight gradient into `weightGradient` and, when `inputGradients` is given, writes the
    /// input gradient block by block; see `as_convolution_backward`.
    func backward(
        inputs: [UnsafePointer<Float>], blockChannels: [Int], weights: UnsafePointer<Float>,
        outputGradient: UnsafePointer<Float>, weightGradient: UnsafeMutablePointer<Float>,
        inputGradients: [UnsafeMutablePointer<Float>]?
    ) {
        var error = [CChar](repeating: 0, count: 512)
        let channels = blockChannels.map { Int32($0) }
        let status = inputs.map { Optional($0) }.withUnsafeBufferPointer { ip in
            if let inputGradients {
                return inputGradients.map { Optional($0) }.withUnsafeBufferPointer { gp in
                    as_convolution_backward(
                        handle, Int32(inputs.count), ip.baseAddress, channels, weights,
                        outputGradient, weightGradient, gp.baseAddress,
                        Int32(ComputeThreads.count), &error, error.count)
                }
            }
            return as_convolution_backward(
                handle, Int32(inputs.count), ip.baseAddress, channels, weights,
                outputGradient, weightGradient, nil, Int32(ComputeThreads.count),
                &error, error.count)
        }
        precondition(status == 0, "oneDNN convolution failed: " + Self.message(error))
    }
}
