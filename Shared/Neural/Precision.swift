/// The arithmetic of the network's 3×3×3 convolutions.
///
/// Mixed precision as on GPUs: `bf16` rounds the convolution operands (activations, weights,
/// gradients of activations) to bfloat16 and accumulates in float32; master weights, optimizer state,
/// GroupNorm, the loss and every other layer stay in float32. Cores with AVX512-BF16 (AMD Zen 4,
/// Intel Cooper Lake and Sapphire Rapids) multiply bfloat16 pairs at twice the float32 rate
/// (`VDPBF16PS`), so `bf16` trains faster there where the training-reliability measurements show it
/// trains as well. Elsewhere a `bf16` network computes in float32 (`ConvolutionPlan`): emulated
/// bfloat16 trains at about 0.4 times the float32 rate.
public enum Precision: String, Sendable, Codable, CaseIterable {
    case fp32
    case bf16
}
