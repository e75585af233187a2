import Foundation

/// Where one case's files are, as a dataset lists them.
public struct CaseSource: Hashable, Sendable {
    public var id: String
    public var t1c: URL
    public var t2: URL
    /// Absent for unlabelled cases (test sets, cases awaiting annotation).
    public var label: URL?
    /// The label coding this dataset uses, when its layout says (BraTS 2021 vs 2023 file names);
    /// nil leaves the importer's configured convention.
    public var labelConvention: LabelConvention?

    public init(id: String, t1c: URL, t2: URL, label: URL?, labelConvention: LabelConvention? = nil) {
        self.id = id
        self.t1c = t1c
        self.t2 = t2
        self.label = label
        self.labelConvention = labelConvention
    }
}

/// A case found in a dataset, or why the dataset's listing of it is unusable.
public typealias CaseDiscovery = Result<CaseSource, VolumeError>
