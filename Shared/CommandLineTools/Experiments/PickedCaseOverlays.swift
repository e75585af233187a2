import Artifacts
import Domain
import Foundation
import Proto

/// The report's `overlays/` folder, the paper's Fig. 3 for every case a strategy picked: its
/// largest-tumor axial slice with the truth it was annotated with and the prediction of the model it
/// was picked with (``PickedCase``). The orchestrator lists the picks and the models; the scorer
/// draws each picture (``ScorerOverlay``).
///
/// One folder per experiment, named after its strategy (with the experiment id's first eight digits
/// when the report holds the strategy twice), one `round-R-RANK-CASE.png` per pick.
enum PickedCaseOverlays {
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

    /// The experiment's picks that have a picture, with the checkpoints to draw them with.
    static func picks(of experiment: ExperimentID, _ client: ServiceClient) async throws -> [PickedCase] {
        let picks = try await client.call(OrchestratorRPC.listPicks, .with { $0.experimentID = experiment.wireForm })
        let models = try await client.call(OrchestratorRPC.listModels, .with { $0.experimentID = experiment.wireForm })
        return try PickedCase.pairing(picks.picks, with: models.models)
    }

    private static func createFolder(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw CommandLineError(.failed, subject: url.path, detail: "cannot be created: \(error)")
        }
    }
}
