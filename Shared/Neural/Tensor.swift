/// A dense float32 tensor in row-major (C-contiguous) order.
///
/// Volumes are laid out NCDHW (batch, channel, depth, height, width), the layout PyTorch uses, so that
/// checkpoints and test vectors move between the two without transposition. Storage is a Swift
/// array: copies are cheap until written (copy-on-write), which lets layers keep their inputs for the
/// backward pass without duplicating memory.
public struct Tensor: Sendable, Equatable {
    public private(set) var shape: [Int]
    public var scalars: [Float]

    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor whose scalars the caller must all overwrite before reading: kernels that write every
    /// output element skip zero-filling (and first-touching) activation-sized buffers twice.
    init(uninitializedShape shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, scalars: [Float](unsafeUninitializedCapacity: count) { _, initialized in
            initialized = count
        })
    }

    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// Batch size of an NCDHW tensor.
    public var batch: Int { shape[0] }
    /// Channels of an NCDHW tensor.
    public var channels: Int { shape[1] }
    /// Depth, height and width of an NCDHW tensor.
    public var spatial: [Int] { Array(shape[2...]) }
    /// Voxels per channel of an NCDHW tensor.
    public var voxels: Int { shape[2...].reduce(1, *) }

    /// The same scalars viewed with another shape of equal size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    public subscript(flat index: Int) -> Float {
        get { scalars[index] }
        set { scalars[index] = newValue }
    }

    /// One batch item of an NCDHW tensor, keeping a leading batch dimension of 1.
    public func item(_ n: Int) -> Tensor {
        let size = count / batch
        return Tensor(shape: [1] + shape[1...], scalars: Array(scalars[(n * size)..<((n + 1) * size)]))
    }

    /// Stacks NCDHW tensors of batch 1 (or more) along the batch dimension.
    public static func stack(_ items: [Tensor]) -> Tensor {
        precondition(!items.isEmpty)
        let rest = Array(items[0].shape[1...])
        precondition(items.allSatisfy { Array($0.shape[1...]) == rest }, "stack needs equal shapes")
        var scalars: [Float] = []
        scalars.reserveCapacity(items.reduce(0) { $0 + $1.count })
        for item in items { scalars += item.scalars }
        return Tensor(shape: [items.reduce(0) { $0 + $1.batch }] + rest, scalars: scalars)
    }
}
