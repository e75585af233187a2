/// The logistic sigmoid as a layer; the network outputs logits and applies it for probabilities.
public final class Sigmoid: Layer {
    private var output: Tensor?

    public init() {}

    public func callAsFunction(_ x: consuming Tensor) -> Tensor {
        let y = x.sigmoid()
        output = y
        return y
    }

    public func backward(_ dy: consuming Tensor) -> Tensor {
        guard let y = output else { preconditionFailure("Sigmoid.backward before forward") }
        for i in 0..<dy.count { dy.scalars[i] *= y.scalars[i] * (1 - y.scalars[i]) }
        return dy
    }
}
