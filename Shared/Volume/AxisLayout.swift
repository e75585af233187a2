/// How one axis of a 3D buffer is laid out: `outer` blocks of `count` rows of `inner` voxels, so a
/// separable filter walks the axis as `outer × inner` lines of `count` voxels `inner` apart.
public struct AxisLayout: Sendable {
    public var outer: Int
    public var count: Int
    public var inner: Int

    public init(_ shape: GridShape, axis: Int) {
        count = shape[axis]
        inner = axis == 0 ? 1 : (axis == 1 ? shape.x : shape.x * shape.y)
        outer = shape.count / (count * inner)
    }
}
