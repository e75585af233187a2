import SeededRandom

/// The U-Net's unit: 3×3×3 convolution, GroupNorm, ReLU (the last two in one pass, see
/// `GroupNorm.rectified`).
public final class ConvNormReLU: Layer {
    public let conv: Conv3D
    public let norm: GroupNorm

    public convenience init(
        inChannels: Int, outChannels: Int, groups: Int, bias: Bool, generator: inout SeededGenerator
    ) {
        self.init(
            conv: Conv3D(
                inChannels: inChannels, outChannels: outChannels, kernelSize: 3, bias: bias, generator: &generator),
            groups: groups)
    }

    /// The unit around a 3×3×3 convolution, normalising its output channels in `groups` groups.
    init(conv: Conv3D, groups: Int) {
        self.conv = conv
        norm = GroupNorm(groups: groups, channels: conv.outChannels, rectified: true)
    }

    public var parameters: [Parameter] { conv.parameters + norm.parameters }

    public func callAsFunction(_ x: consuming Tensor) -> Tensor {
        norm(conv(consume x))
    }

    public func backward(_ dy: consuming Tensor) -> Tensor {
        conv.backward(norm.backward(consume dy))
    }

    /// The unit applied to the channel concatenation `[first, second]` without building it.
    public func callAsFunction(concatenating first: Tensor, _ second: Tensor) -> Tensor {
        norm(conv(concatenating: first, second))
    }

    /// The input gradient as the two blocks of `callAsFunction(concatenating:_:)`.
    public func backwardBlocks(_ dy: consuming Tensor) -> [Tensor] {
        conv.backwardBlocks(norm.backward(consume dy))
    }
}
