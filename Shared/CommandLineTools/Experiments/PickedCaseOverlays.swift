import Artifacts
import Domain
import Foundation
import Proto

/// The report's `overlays/` folder, the paper's Fig. 3 for every case a strategy picked: its
/// largest-tumor axial slice with the truth it was annotated with and the prediction of the model it
/// was picked with — the previous round's, whose uncertainty chose it (for bootstrap, the first
/// member's). The initial random set has no such model and is left out. The orchestrator lists the
/// picks and the models; the scorer draws each picture (``ScorerOverlay``).
///
/// One folder per experiment, named after its strategy (with the experiment id's first eight digits
/// when the report holds the strategy twice), one `round-R-RANK-CASE.png` per pick.
enum PickedCaseOverlays {
    /// A picked case and the checkpoint to draw it with.
    struct Pick: Sendable {
        var round: Int
        var rank: Int
        var caseID: CaseID
        var caseName: String
        var checkpoint: ArtifactID
    }

    /// Writes the pictures of every experiment's picks; returns how many.
    static func write(
        _ experiments: [(id: ExperimentID, strategy: String)], to folder: URL, context: CommandContext
    )
        async throws -> Int
    {
        let artifacts = try context.artifactStore(alternative: "pass --no-overlays")
        let strategyCounts = Dictionary(experiments.map { ($0.strategy, 1) }, uniquingKeysWith: +)
        return try await ServiceClient.with(context) { client in
            var written = 0
            for experiment in experiments {
                let id = experiment.id.wireForm
                let name =
                    strategyCounts[experiment.strategy, default: 0] > 1
                    ? "\(experiment.strategy)-\(id.prefix(8))" : experiment.strategy
                let subfolder = folder.appendingPathComponent(name, isDirectory: true)
                try createFolder(subfolder)
                for pick in try await picks(of: experiment.id, client) {
                    let file = subfolder.appendingPathComponent("round-\(pick.round)-\(pick.rank)-\(pick.caseName).png")
                    _ = try await ScorerOverlay(
                        caseID: pick.caseID, checkpoint: pick.checkpoint, profile: nil, scale: 4
                    )
                    .write(to: file, client: client, artifacts: artifacts)
                    written += 1
                }
            }
            return written
        }
    }

    /// The cases picked in rounds ≥ 1 and annotated (a human-mode pick has no truth before its
    /// labels are imported) whose round before has a model, with that model's checkpoint (the first
    /// member's of an ensemble), in the order they were picked.
    static func picks(of experiment: ExperimentID, _ client: ServiceClient) async throws -> [Pick] {
        let picks = try await client.call(OrchestratorRPC.listPicks, .with { $0.experimentID = experiment.wireForm })
            .picks
        var checkpoints: [Int: String] = [:]
        for model in try await ModelSummary.matching(client, experiment: experiment)
        where (model.ensembleMember ?? 0) == 0 {
            if let round = model.round { checkpoints[round] = model.checkpointSHA256 }
        }
        return try picks.filter { $0.selectedRound > 0 && $0.hasAnnotatedRound }.compactMap { pick -> Pick? in
            guard let hash = checkpoints[Int(pick.selectedRound) - 1] else { return nil }
            guard let checkpoint = ArtifactID(sha256: hash), let caseID = CaseID(wireForm: pick.caseID) else {
                throw CommandLineError(
                    .failed, subject: "orchestrator",
                    detail: "answered a pick of case '\(pick.caseID)' or a checkpoint hash '\(hash)' that is malformed")
            }
            return Pick(
                round: Int(pick.selectedRound), rank: Int(pick.selectionRank), caseID: caseID,
                caseName: pick.caseName, checkpoint: checkpoint)
        }
    }

    private static func createFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw CommandLineError(.failed, subject: url.path, detail: "cannot be created: \(error)")
        }
    }
}
