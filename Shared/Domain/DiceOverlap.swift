/// The voxel counts of a segmentation against its reference and the Dice similarity coefficient
/// 2|P ∩ R| / (|P| + |R|) they give, with the product's one convention for empty masks.
///
/// When both masks are empty the prediction is perfect, so Dice = 1: a tumor-free case predicted
/// tumor-free must not count as a failure, and 0/0 must not poison a mean. Counting the voxels of
/// several cases into one overlap gives the Dice pooled over them (nnU-Net's "global Dice").
public struct DiceOverlap: Sendable, Hashable {
    /// Voxels in both the prediction and the reference.
    public private(set) var intersection = 0
    /// Voxels in the prediction.
    public private(set) var predicted = 0
    /// Voxels in the reference.
    public private(set) var reference = 0

    public init() {}

    /// Counts one voxel.
    @inline(__always)
    public mutating func add(predicted isPredicted: Bool, reference isReference: Bool) {
        if isPredicted { predicted += 1 }
        if isReference { reference += 1 }
        if isPredicted && isReference { intersection += 1 }
    }

    /// The coefficient: 1 when both masks are empty.
    public var dice: Double {
        predicted + reference == 0 ? 1 : 2 * Double(intersection) / Double(predicted + reference)
    }
}
