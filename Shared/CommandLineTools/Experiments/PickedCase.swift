import Artifacts
import Domain
import Proto

/// A case a strategy picked after the initial set, with the checkpoint of the model that picked it:
/// the previous round's (for a bootstrap ensemble, its first member's), whose uncertainty ranked it.
/// The paper's Fig. 3 draws each such case with that model's prediction; `report` writes the
/// pictures to files and the dashboard shows them beside the picks.
public struct PickedCase: Sendable, Equatable {
    /// The round that picked the case, 1 or later.
    public var round: Int
    /// Its place in that round's picks.
    public var rank: Int
    public var caseID: CaseID
    public var caseName: String
    /// The checkpoint of the previous round's model (its first ensemble member's).
    public var checkpoint: ArtifactID

    /// The picks that have a picture, in the order given: picked in round 1 or later (the initial
    /// random set has no model that chose it), annotated (a human-mode pick has no truth to draw
    /// before its labels are imported), and with a model trained in the round before.
    public static func pairing(_ picks: [CasePick], with models: [StoredModel]) throws -> [PickedCase] {
        var checkpoints: [UInt32: String] = [:]
        for model in models where model.hasRound && (!model.hasEnsembleMember || model.ensembleMember == 0) {
            checkpoints[model.round] = model.checkpoint.sha256
        }
        return try picks.filter { $0.selectedRound > 0 && $0.hasAnnotatedRound }.compactMap { pick -> PickedCase? in
            guard let hash = checkpoints[pick.selectedRound - 1] else { return nil }
            guard let checkpoint = ArtifactID(sha256: hash), let caseID = CaseID(wireForm: pick.caseID) else {
                throw CommandLineError(
                    .failed, subject: "orchestrator",
                    detail: "answered a pick of case '\(pick.caseID)' or a checkpoint hash '\(hash)' that is malformed")
            }
            return PickedCase(
                round: Int(pick.selectedRound), rank: Int(pick.selectionRank), caseID: caseID,
                caseName: pick.caseName, checkpoint: checkpoint)
        }
    }
}
