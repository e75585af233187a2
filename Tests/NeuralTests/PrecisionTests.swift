import Foundation
import Testing

@testable import Neural

/// bf16 convolutions checked against the fp32 ones, which the PyTorch vectors and finite
/// differences check: bfloat16 keeps 8 significant bits (a relative rounding error of 2⁻⁹ per
/// operand), so logits agree to about a percent, gradients as closely as PyTorch's bf16 autocast
/// agrees with its fp32; `UNet3DTests` checks that a bf16 network still trains.
@Suite struct PrecisionTests {
    static let config = UNet3DConfig(
        inputChannels: 2, levels: 3, baseChannels: 8, convolutionsPerLevel: 2,
        groupNormGroups: 4, dropoutRate: 0.2, dropoutMode: .testOnly)

    /// Whether this CPU has AVX512-BF16, on which the bf16 plans must use bfloat16 kernels.
    static let cpuHasBF16: Bool = {
        (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains("avx512_bf16") ?? false
    }()

    static func relativeDifference(_ a: [Float], _ b: [Float]) -> Double {
        let difference = zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        let norm = b.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (difference / norm).squareRoot()
    }

    /// Logits and every parameter's gradient of one training step in `precision`.
    static func step(_ precision: Precision) -> (logits: [Float], gradients: [String: [Float]], kernels: String) {
        let network = UNet3D(config: config, seed: 11)
        network.precision = precision
        let (image, label) = Phantoms.sphere(size: 16, radius: 5, seed: 12)
        let (logits, _) = network.forward(image, phase: .training)
        network.backward(DiceBCELoss()(logits: logits, target: label).gradient)
        let gradients = Dictionary(
            uniqueKeysWithValues: network.namedParameters.map { ($0.name, $0.parameter.gradient.scalars) })
        return (logits.scalars, gradients, network.widestConvolutionKernels(spatial: [16, 16, 16]))
    }

    @Test func bf16MatchesFP32ToBFloat16Tolerance() {
        let fp32 = Self.step(.fp32), bf16 = Self.step(.bf16)
        #expect(!fp32.kernels.contains("bf16"))
        if Self.cpuHasBF16 {
            // Every pass on a bfloat16 kernel: AVX512-BF16's, or AMX's where the cores have tiles.
            #expect(bf16.kernels.split(separator: "|").allSatisfy { $0.contains("_bf16") }, "\(bf16.kernels)")
        }
        let logits = Self.relativeDifference(bf16.logits, fp32.logits)
        guard bf16.kernels.contains("bf16") else {
            // No bfloat16 instructions on this CPU (no AVX512-BF16): the plans fall back to fp32
            // (`ConvolutionPlan`), so the step must be fp32's exactly.
            #expect(logits == 0, "a fallback to fp32 computes as fp32: logits differ by \(logits)")
            return
        }
        #expect(logits > 0, "bf16 rounding must change the logits, else the plan did not run in bf16")
        #expect(logits < 2e-2, "logits differ by \(logits)")
        // PyTorch's bf16 autocast on the same network and step differs from its fp32 gradients by a
        // median over the parameters of 3.0–8.4% and at most 7–27% per parameter (relative L2, 20
        // initialisations; scripts/vectors/bf16_gradient_spread.py): the engine must stay inside
        // PyTorch's worst draw.
        let differences = fp32.gradients.map { name, reference in
            (name, Self.relativeDifference(bf16.gradients[name]!, reference))
        }.sorted { $0.1 < $1.1 }
        let median = differences[differences.count / 2].1
        #expect(median < 0.09, "median gradient difference \(median)")
        #expect(differences.last!.1 < 0.3, "\(differences.last!.0): gradient differs by \(differences.last!.1)")
    }
}
