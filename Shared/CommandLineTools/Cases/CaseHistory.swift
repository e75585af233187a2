import Domain
import Foundation
import Store

/// A case's place in one experiment: the round that picked it and the round from which it counts as
/// annotated (later than the pick in `human` mode, until the label arrives).
struct CaseHistory: Codable, Sendable, Equatable {
    var experimentID: UUID
    var experiment: String
    var strategy: Strategy
    var restriction: RedundancyRestriction
    var selectedRound: Int
    /// The order the case was picked in within its round.
    var selectionRank: Int
    var annotatedRound: Int?

    init(_ row: PostgresRow) throws {
        experimentID = try row.decode("experiment_id")
        experiment = try row.decode("name")
        strategy = try row.decode("strategy")
        restriction = try row.decode("restriction")
        selectedRound = try row.decode("selected_round")
        selectionRank = try row.decode("selection_rank")
        annotatedRound = try row.decode("annotated_round", as: Int?.self)
    }

    /// The experiments that picked `caseID`, oldest first.
    static func of(_ caseID: UUID, _ client: PostgresClient) async throws -> [CaseHistory] {
        try await client.query(
            """
            SELECT ec.experiment_id, e.name, e.strategy, e.restriction, ec.selected_round, ec.selection_rank,
                   ec.annotated_round
            FROM experiment_cases ec JOIN experiments e ON e.id = ec.experiment_id
            WHERE ec.case_id = \(caseID)
            ORDER BY e.created_at, e.name
            """
        ).map(CaseHistory.init)
    }
}
