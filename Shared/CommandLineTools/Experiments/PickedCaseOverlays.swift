import Artifacts
import Domain
import Foundation
import ServiceRuntime
import Store
import WorkerSupport

/// The report's `overlays/` folder, the paper's Fig. 3 for every case a strategy picked: its
/// largest-tumor axial slice with the truth it was annotated with and the prediction of the model it
/// was picked with — the previous round's, whose uncertainty chose it (for bootstrap, the first
/// member's). The initial random set has no such model and is left out.
///
/// One folder per experiment, named after its strategy (with the experiment id's first eight digits
/// when the report holds the strategy twice), one `round-R-RANK-CASE.png` per pick.
enum PickedCaseOverlays {
    /// A picked case and the checkpoint to draw it with.
    struct Pick: Sendable {
        var round: Int
        var rank: Int
        var caseID: String
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
        return try await StoreConnection.withClient(context) { client in
            let loader = CaseLoader(store: client, artifacts: artifacts)
            var written = 0
            for experiment in experiments {
                let id = experiment.id.wireForm
                let name =
                    strategyCounts[experiment.strategy, default: 0] > 1
                    ? "\(experiment.strategy)-\(id.prefix(8))" : experiment.strategy
                let subfolder = folder.appendingPathComponent(name, isDirectory: true)
                try createFolder(subfolder)
                for pick in try await picks(of: experiment.id, on: client) {
                    let trainingCase = try await loader.trainingCase(pick.caseID)
                    let checkpoint = try artifacts.path(for: pick.checkpoint)
                    let file = subfolder.appendingPathComponent("round-\(pick.round)-\(pick.rank)-\(pick.caseName).png")
                    try await blockingWork {
                        let overlay = try CaseOverlay.draw(trainingCase, checkpoint: checkpoint, profile: nil, scale: 4)
                        do {
                            try overlay.image.write(to: file)
                        } catch {
                            throw CommandLineError(.failed, subject: file.path, detail: "cannot be written: \(error)")
                        }
                    }
                    written += 1
                }
            }
            return written
        }
    }

    /// The cases picked in rounds ≥ 1 and annotated (a human-mode pick has no truth before its
    /// labels are imported) with the checkpoint of the model they were picked with, in
    /// the order they were picked.
    static func picks(of experiment: ExperimentID, on client: PostgresClient) async throws -> [Pick] {
        try await client.query(
            """
            SELECT ec.case_id, ec.selected_round, ec.selection_rank, c.source_name, m.checkpoint_sha256
            FROM experiment_cases ec
            JOIN cases c ON c.id = ec.case_id
            JOIN models m ON m.experiment_id = ec.experiment_id AND m.round_index = ec.selected_round - 1
                         AND coalesce(m.bootstrap_member, 0) = 0
            WHERE ec.experiment_id = \(experiment) AND ec.selected_round > 0 AND ec.annotated_round IS NOT NULL
            ORDER BY ec.selected_round, ec.selection_rank
            """
        ).map { row in
            let caseID: CaseID = try row.decode("case_id")
            let hash: String = try row.decode("checkpoint_sha256")
            guard let checkpoint = ArtifactID(sha256: hash) else {
                throw CommandLineError(
                    .dataError, subject: "experiment \(experiment)",
                    detail: "a model's checkpoint hash '\(hash)' is not a SHA-256")
            }
            return Pick(
                round: try row.decode("selected_round"), rank: try row.decode("selection_rank"),
                caseID: caseID.wireForm, caseName: try row.decode("source_name"),
                checkpoint: checkpoint)
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
