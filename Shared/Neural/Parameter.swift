/// A trainable tensor with its accumulated gradient.
///
/// A reference type so that the network, the optimizer and the checkpoint writer all see the same
/// storage: the optimizer updates `value` in place and the layers read it on the next forward pass.
public final class Parameter {
    public var value: Tensor
    /// Sum of the gradients since the last `zeroGradient()`; backward passes add to it.
    public var gradient: Tensor

    public init(_ value: Tensor) {
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
    }

    public func zeroGradient() {
        gradient.scalars.withUnsafeMutableBufferPointer { g in
            g.update(repeating: 0)
        }
    }
}

/// A layer with a forward pass and its hand-written backward pass.
///
/// Backpropagation is layer-wise: each layer keeps what its backward pass needs (its input, an
/// argmax, normalisation statistics) from the most recent forward call, and `backward` maps the
/// gradient of the loss with respect to the layer's output to the gradient with respect to its
/// input, adding parameter gradients on the way. The U-Net calls the layers' backward passes in
/// reverse order; no tape is recorded. A layer therefore supports one forward/backward pair at a time.
/// Arguments are consumed, so a layer that works element-wise can overwrite its argument in place
/// instead of allocating and filling a second activation-sized buffer.
public protocol Layer: AnyObject {
    func callAsFunction(_ input: consuming Tensor) -> Tensor
    func backward(_ gradientOfOutput: consuming Tensor) -> Tensor
    /// The layer's trainable parameters, in a stable order.
    var parameters: [Parameter] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
}

/// A layer that can skip keeping its backward-pass state, for inference.
public protocol RecordingLayer: Layer {
    /// When false, forward passes keep nothing for `backward` (which then must not be called).
    var recordsForBackward: Bool { get set }
}
