/// Which label values a dataset may contain and which of them are the segmentation target.
///
/// The paper segments the contrast-enhancing tumor; BraTS coded it 4 up to 2021 and 3 from 2023 on,
/// so the foreground is configured rather than fixed.
public struct LabelConvention: Hashable, Sendable {
    /// Every value a label file may hold; anything else is a data error.
    public var declaredValues: Set<UInt8>
    /// Values that become foreground (1); all other declared values become background (0).
    public var foregroundValues: Set<UInt8>

    public init(declaredValues: Set<UInt8>, foregroundValues: Set<UInt8>) {
        self.declaredValues = declaredValues.union(foregroundValues)
        self.foregroundValues = foregroundValues
    }

    /// BraTS 2020/2021: 0 background, 1 necrotic core, 2 edema, 4 enhancing tumor (foreground).
    public static let brats2021 = LabelConvention(declaredValues: [0, 1, 2, 4], foregroundValues: [4])
    /// BraTS 2023 and later: 0 background, 1 necrotic core, 2 edema, 3 enhancing tumor (foreground).
    public static let brats2023 = LabelConvention(declaredValues: [0, 1, 2, 3], foregroundValues: [3])

    /// The binary target: 1 where the label is a foreground value.
    public func binary(_ labels: LabelVolume) -> LabelVolume {
        var isForeground = [UInt8](repeating: 0, count: 256)
        for value in foregroundValues { isForeground[Int(value)] = 1 }
        return LabelVolume(
            shape: labels.shape, affine: labels.affine, voxels: labels.voxels.map { isForeground[Int($0)] })
    }
}
