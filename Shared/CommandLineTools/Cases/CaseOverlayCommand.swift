import ArgumentParser
import Domain
import Foundation

/// `activeseg case overlay ID`: the paper's Fig. 3 picture for one stored case: its preprocessed
/// T1c at the axial slice with the most tumor, with a model's prediction and the true label
/// outlined, drawn by the scorer (``ScorerOverlay``).
struct CaseOverlayCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay",
        abstract: "Draw a case's largest-tumor axial slice with prediction and truth outlines as PNG.",
        discussion: """
            Asks the scorer service to draw it: the scorer reads the case's preprocessed image and \
            label from the artifact store as it does for scoring, predicts with the stored model or \
            the checkpoint (put into the artifact store, ACTIVESEG_ARTIFACT_ROOT, first; threshold \
            0.5), and draws the T1c in grey, the truth outline in green, the prediction's in red and \
            where they coincide in yellow; the PNG is copied from the artifact store to --out.
            """)

    @Argument(help: "The case's id (from `activeseg case list`); it must be labelled.")
    var id: UUIDArgument

    @OptionGroup var source: CheckpointOptions

    @Option(help: "The PNG file to write.")
    var out: String

    @Option(help: "The profile whose inference strategy is used (default: the one the checkpoint records).")
    var profile: ProfileArgument?

    @Option(help: "Pixels per voxel edge.")
    var scale: Int = 4

    func validate() throws {
        guard scale >= 1, scale <= 32 else { throw ValidationError("--scale must be between 1 and 32, got \(scale)") }
    }

    func run(in context: CommandContext) async throws {
        let caseID = CaseID(id.value)
        let outURL = context.url(for: out)
        let artifacts = try context.artifactStore()
        let checkpoint = try await source.artifact(in: context, store: artifacts)
        let overlay = ScorerOverlay(
            caseID: caseID, checkpoint: checkpoint, profile: profile?.profile.name, scale: scale)
        let slice = try await ServiceClient.with(context) { client in
            try await overlay.write(to: outURL, client: client, artifacts: artifacts)
        }
        context.output.write("Wrote \(outURL.path): case \(caseID.wireForm), axial slice \(slice)\n")
    }
}
