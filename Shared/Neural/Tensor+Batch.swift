extension Tensor {
    /// The tensors side by side along the batch axis: NCDHW tensors of equal channels and spatial
    /// shape become one batch, as a training step stacks its patches.
    public init(stackingBatches parts: [Tensor]) {
        precondition(!parts.isEmpty, "no tensors to stack")
        guard parts.count > 1 else {
            self = parts[0]
            return
        }
        let item = Array(parts[0].shape.dropFirst())
        precondition(parts.allSatisfy { Array($0.shape.dropFirst()) == item }, "tensors differ beyond the batch axis")
        var scalars: [Float] = []
        scalars.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { scalars += part.scalars }
        self.init(shape: [parts.reduce(0) { $0 + $1.batch }] + item, scalars: scalars)
    }
}
