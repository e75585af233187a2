/// Stochastic gradient descent with momentum and L2 weight decay, with PyTorch's `torch.optim.SGD`
/// update (dampening 0, no Nesterov): `g ← ∇ + λ·w`, `b ← μ·b + g` (`b = g` on the first step),
/// `w ← w − lr·b`. Paper defaults: lr 1e-3, weight decay 2e-5, momentum 0.9.
public final class SGD {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    private var buffers: [[Float]?]

    public init(parameters: [Parameter], learningRate: Float = 1e-3, momentum: Float = 0.9, weightDecay: Float = 2e-5) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        buffers = Array(repeating: nil, count: parameters.count)
    }

    /// Applies one update from the accumulated gradients, then zeroes them.
    public func step() {
        for (index, parameter) in parameters.enumerated() {
            var buffer = buffers[index] ?? []
            let first = buffer.isEmpty
            if first { buffer = [Float](repeating: 0, count: parameter.value.count) }
            parameter.value.scalars.withUnsafeMutableBufferPointer { w in
                parameter.gradient.scalars.withUnsafeBufferPointer { g in
                    buffer.withUnsafeMutableBufferPointer { b in
                        for i in 0..<w.count {
                            let d = g[i] + weightDecay * w[i]
                            b[i] = first ? d : momentum * b[i] + d
                            w[i] -= learningRate * b[i]
                        }
                    }
                }
            }
            buffers[index] = buffer
            parameter.zeroGradient()
        }
    }
}
