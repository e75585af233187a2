import Domain
import Foundation
import Proto

/// A case's place in one experiment: the round that picked it and the round from which it counts as
/// annotated (later than the pick in `human` mode, until the label arrives).
struct CaseHistory: Codable, Sendable, Equatable {
    var experimentID: ExperimentID
    var experiment: String
    var strategy: Strategy
    var restriction: RedundancyRestriction
    var selectedRound: Int
    /// The order the case was picked in within its round.
    var selectionRank: Int
    var annotatedRound: Int?

    init(_ pick: CasePick) throws {
        guard let experimentID = ExperimentID(wireForm: pick.experimentID), let strategy = Strategy(pick.strategy),
            let restriction = RedundancyRestriction(pick.restriction)
        else {
            throw CommandLineError(
                .failed, subject: "orchestrator",
                detail: "answered a pick of experiment '\(pick.experimentID)' with an unknown id or strategy")
        }
        self.experimentID = experimentID
        experiment = pick.experimentName
        self.strategy = strategy
        self.restriction = restriction
        selectedRound = Int(pick.selectedRound)
        selectionRank = Int(pick.selectionRank)
        annotatedRound = pick.hasAnnotatedRound ? Int(pick.annotatedRound) : nil
    }

    /// The experiments that picked `caseID`, oldest first.
    static func of(_ caseID: CaseID, _ client: ServiceClient) async throws -> [CaseHistory] {
        try await client.call(OrchestratorRPC.caseHistory, .with { $0.caseID = caseID.wireForm }).picks
            .map(CaseHistory.init)
    }
}
