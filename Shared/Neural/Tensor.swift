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
        precondition(
            shape.reduce(1, *) == scalars.count,
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
        self.init(
            shape: shape,
            scalars: [Float](unsafeUninitializedCapacity: count) { _, initialized in
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
}
