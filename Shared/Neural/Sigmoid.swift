/// The logistic sigmoid as a layer; the network outputs logits and applies it for probabilities.
public final class Sigmoid: Layer {
    private var output: Tensor?

    public init() {}

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = x.sigmoid()
        output = y
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("Sigmoid.backward before forward") }
        var dx = dy
        for i in 0..<dx.count { dx.scalars[i] *= y.scalars[i] * (1 - y.scalars[i]) }
        return dx
    }
}
