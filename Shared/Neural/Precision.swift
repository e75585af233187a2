/// The arithmetic of the network's 3×3×3 convolutions.
///
/// Mixed precision as on GPUs: `bf16` rounds the convolution operands (activations, weights,
/// gradients of activations) to bfloat16 and accumulates in float32; master weights, optimizer state,
/// GroupNorm, the loss and every other layer stay in float32. These Zen 4 cores multiply bfloat16
/// pairs at twice the float32 rate (`VDPBF16PS`), so `bf16` trains faster where the training-
/// reliability measurements show it trains as well.
public enum Precision: String, Sendable, Codable, CaseIterable {
    case fp32
    case bf16
}
