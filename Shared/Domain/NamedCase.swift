import Foundation

/// A case by its id and its source name, ordered by the name.
///
/// The name is unique within a dataset and stays the same when the cohort is imported again, into
/// another dataset or database, where every case gets a new id. Every seeded draw and every listing
/// an experiment's picks or models depend on goes in this order, so a repetition with the same seed
/// picks and trains on the same cases, by name, in every import.
public struct NamedCase: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var id: CaseID
    /// The case's name in its source (folder or manifest row).
    public var sourceName: String

    public init(id: CaseID, sourceName: String) {
        self.id = id
        self.sourceName = sourceName
    }

    /// By name; by id only between cases of different datasets that share a name, so the order is total.
    public static func < (lhs: NamedCase, rhs: NamedCase) -> Bool {
        lhs.sourceName != rhs.sourceName ? lhs.sourceName < rhs.sourceName : lhs.id < rhs.id
    }

    public var description: String { sourceName }
}
