import Domain
import Foundation

/// A cohort imported from one source, as the `datasets` table holds it.
public struct DatasetRecord: Sendable, Hashable {
    /// Where a dataset's cases come from; the raw value is the `source_kind` column's.
    public enum SourceKind: String, Sendable, Hashable {
        case brats
        case nnunet
        case manifest
        case synthetic
    }

    public var id: DatasetID
    /// Unique among datasets, for people; the source URI unless a caller names it otherwise.
    public var name: String
    public var sourceKind: SourceKind
    /// The folder or file the cases were read from, as the ingest worker saw it.
    public var sourceURI: String
    /// Share of patients held out as the fixed test split, in (0, 1).
    public var testFraction: Double
    /// Seed of the test split's draw.
    public var splitSeed: Int64

    public init(
        id: DatasetID, name: String, sourceKind: SourceKind, sourceURI: String, testFraction: Double, splitSeed: Int64
    ) {
        self.id = id
        self.name = name
        self.sourceKind = sourceKind
        self.sourceURI = sourceURI
        self.testFraction = testFraction
        self.splitSeed = splitSeed
    }
}
