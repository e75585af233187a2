/// How a probability map becomes a tumor segmentation: the voxels at probability ≥ 0.5, all
/// dropped when there are fewer than `minimumVoxels` of them.
///
/// The minimum is the post-processing BraTS entries apply to the enhancing tumor (Isensee et al.,
/// nnU-Net's BraTS 2018–2020 submissions): a case without enhancement has an empty target, where
/// any false-positive voxel costs the whole case (Dice 0 instead of 1), while a real enhancing
/// tumor is rarely that small. Uncertainty scores read the probabilities, never this rule.
public struct SegmentationRule: Sendable, Hashable {
    /// Fewest foreground voxels a segmentation keeps; 0 or 1 keeps any.
    public var minimumVoxels: Int

    public init(minimumVoxels: Int = 0) {
        self.minimumVoxels = minimumVoxels
    }

    /// The foreground of `probabilities`, in their order.
    public func foreground(_ probabilities: [Float]) -> [Bool] {
        let foreground = probabilities.map { $0 >= 0.5 }
        guard minimumVoxels > 1 else { return foreground }
        let count = foreground.reduce(0) { $0 + ($1 ? 1 : 0) }
        return count < minimumVoxels ? [Bool](repeating: false, count: foreground.count) : foreground
    }
}
