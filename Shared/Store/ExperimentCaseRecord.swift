import Domain
import Foundation

/// A training case's place in one experiment (the `experiment_cases` table): picked in a round, and
/// annotated from a round on. Cases without a record are the experiment's unannotated pool.
public struct ExperimentCaseRecord: Sendable, Hashable {
    public var experimentID: ExperimentID
    public var caseID: CaseID
    public var selectedRound: Int
    /// The order the case was picked in within its round.
    public var selectionRank: Int
    /// Nil while a person's label is awaited (human annotation).
    public var annotatedRound: Int?

    public init(
        experimentID: ExperimentID, caseID: CaseID, selectedRound: Int, selectionRank: Int, annotatedRound: Int?
    ) {
        self.experimentID = experimentID
        self.caseID = caseID
        self.selectedRound = selectedRound
        self.selectionRank = selectionRank
        self.annotatedRound = annotatedRound
    }
}
