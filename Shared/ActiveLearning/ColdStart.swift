/// A foreground-aware cold start: the random initial set is extended, one case of the same seeded
/// draw at a time, until enough of its annotated cases hold a tumor.
///
/// A random initial set from a pool in which a quarter of the cases show no enhancing tumor can
/// hold next to none (8 drawn cases, 5 of them tumor-free and the sixth with 22 voxels, trained a
/// model that predicts nothing; docs/training-reliability.md), and a model trained on it scores
/// only the tumor-free share of the test split. nnActive (Lüth et al., 2024) draws its starting
/// budget foreground-aware for this reason. The rule here reads only the labels of cases already
/// annotated, as a person would: annotate the draw, and while too few of the annotations show a
/// tumor, annotate the next case of the same draw. The extra cases count as annotations like any
/// other, so the data share a comparison reports includes them.
public struct ColdStart: Sendable, Hashable {
    /// Share of the initial count that must hold a tumor (rounded up); 0 turns the rule off.
    public var tumorShare: Double
    /// Fewest label voxels that make a tumor: the evaluation's minimum tumor volume in voxels, so
    /// a case the rule counts is one whose tumor a segmentation would be scored on.
    public var minimumTumorVoxels: Int

    public init(tumorShare: Double, minimumTumorVoxels: Int) {
        self.tumorShare = tumorShare
        self.minimumTumorVoxels = minimumTumorVoxels
    }

    /// No extension: the initial set is the random draw alone.
    public static let off = ColdStart(tumorShare: 0, minimumTumorVoxels: 1)

    /// Cases with a tumor the initial set of `initialCount` cases must hold.
    public func requiredTumorCases(initialCount: Int) -> Int {
        Int((Double(initialCount) * tumorShare).rounded(.up))
    }

    /// Whether a label of `labelVoxels` foreground voxels holds a tumor. A case whose count is not
    /// known (ingested before counts were stored) counts as holding one, so it never extends a set.
    public func holdsTumor(labelVoxels: Int?) -> Bool {
        guard let labelVoxels else { return true }
        return labelVoxels >= max(1, minimumTumorVoxels)
    }

    /// Whether annotated cases with these label voxel counts, drawn for an initial set of
    /// `initialCount`, need another case.
    public func needsAnotherCase(initialCount: Int, annotatedLabelVoxels: [Int?]) -> Bool {
        annotatedLabelVoxels.filter(holdsTumor).count < requiredTumorCases(initialCount: initialCount)
    }

    /// The initial set the rule ends with when every label is known at once (a simulation): the
    /// shortest prefix of `order`, the seeded draw, that holds `initialCount` cases and the
    /// required tumors, or all of `order` when it never does.
    public func initialSet<Case>(_ order: [Case], initialCount: Int, labelVoxels: (Case) -> Int?) -> [Case] {
        var set = Array(order.prefix(initialCount))
        var rest = order.dropFirst(set.count)
        while needsAnotherCase(initialCount: initialCount, annotatedLabelVoxels: set.map(labelVoxels)),
            let next = rest.popFirst()
        {
            set.append(next)
        }
        return set
    }
}
