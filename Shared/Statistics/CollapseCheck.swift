/// Whether a segmentation model has collapsed to all-background: it predicts no foreground voxel
/// on nearly every case that has one.
///
/// Such a model still scores the share of tumor-free cases in mean Dice (each counts 1 under the
/// both-empty convention), which can look like a weak but working model in a summary; only the
/// per-case predictions tell the two apart. A model is all-background when its prediction is empty
/// on at least `limit` (90%) of the tumor-bearing cases.
public struct CollapseCheck: Sendable, Equatable {
    /// Cases whose reference has at least one foreground voxel.
    public var tumorCases: Int
    /// Tumor-bearing cases on which the prediction is empty.
    public var emptyPredictions: Int
    /// The share of tumor-bearing cases with an empty prediction at which a model counts as collapsed.
    public static let limit = 0.9

    /// The check over per-case foreground voxel counts of predictions and references, in case order.
    public init(predictedVoxels: [Int], referenceVoxels: [Int]) {
        precondition(predictedVoxels.count == referenceVoxels.count, "one predicted count per reference count")
        let tumorCases = zip(predictedVoxels, referenceVoxels).filter { $0.1 > 0 }
        self.tumorCases = tumorCases.count
        self.emptyPredictions = tumorCases.filter { $0.0 == 0 }.count
    }

    /// Whether the model predicts nothing on at least `limit` of the tumor-bearing cases; false
    /// when there is no tumor-bearing case to judge by.
    public var isAllBackground: Bool {
        tumorCases > 0 && Double(emptyPredictions) >= Self.limit * Double(tumorCases)
    }
}
