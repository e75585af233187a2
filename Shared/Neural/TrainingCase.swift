/// One labelled volume in memory, as the training loop and the sampler see it.
///
/// Deliberately minimal: whoever loads NIfTI files or a case store converts into this, so the engine
/// does not depend on how volumes are stored.
public struct TrainingCase: Sendable {
    public var id: String
    /// `[C, D, H, W]` intensities (for example z-scored T1c and T2).
    public var image: Tensor
    /// `D·H·W` labels, 0 background and 1 foreground, in the image's voxel order.
    public var label: [UInt8]
    /// `D·H·W` voxels (non-zero inside) that foreground patches are centred on, where that region
    /// is not the label's foreground; nil centres them on the label's foreground. nnU-Net samples
    /// every annotated class, so a model of one class also sees the annotated structures it must
    /// leave unlabelled, such as a tumor that does not enhance.
    public var samplingRegion: [UInt8]?

    public init(id: String, image: Tensor, label: [UInt8], samplingRegion: [UInt8]? = nil) {
        precondition(image.rank == 4, "image must be [C, D, H, W], got \(image.shape)")
        precondition(
            label.count == image.count / image.shape[0],
            "label has \(label.count) voxels, image \(image.count / image.shape[0])")
        precondition(
            samplingRegion.map { $0.count == label.count } ?? true, "the sampling region does not match the label")
        self.id = id
        self.image = image
        self.label = label
        self.samplingRegion = samplingRegion
    }

    /// `[D, H, W]`.
    public var size: [Int] { Array(image.shape[1...]) }
    public var channels: Int { image.shape[0] }
}
