import ArgumentParser
import Artifacts
import Foundation
import Neural
import ServiceRuntime
import Statistics
import WorkerSupport

/// `activeseg case overlay ID`: the paper's Fig. 3 picture for one stored case: its preprocessed
/// T1c at the axial slice with the most tumor, with a model's prediction and the true label
/// outlined.
struct CaseOverlayCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay",
        abstract: "Draw a case's largest-tumor axial slice with prediction and truth outlines as PNG.",
        discussion: """
            Reads the case's preprocessed image and label from the artifact store \
            (ACTIVESEG_ARTIFACT_ROOT) as the trainer does, predicts with the checkpoint or the stored \
            model (threshold 0.5), and draws the T1c in grey, the truth outline in green, the \
            prediction's in red and where they coincide in yellow.
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
        let caseID = id.value.uuidString.lowercased()
        let (outURL, chosenProfile, scale) = (context.url(for: out), profile?.profile, scale)
        let artifacts = try context.artifactStore()
        let trainingCase = try await StoreConnection.withClient(context) { client in
            do {
                return try await CaseLoader(store: client, artifacts: artifacts).trainingCase(caseID)
            } catch let error as RPCError {
                throw CommandLineError(
                    .dataError, subject: "case \(caseID)", detail: error.message,
                    hint: "`activeseg case show \(caseID)` says what the case has")
            }
        }
        let checkpointURL = try await source.file(in: context)
        let slice = try await blockingWork {
            let overlay = try CaseOverlay.draw(
                trainingCase, checkpoint: checkpointURL, profile: chosenProfile, scale: scale)
            do {
                try overlay.image.write(to: outURL)
            } catch {
                throw CommandLineError(
                    .failed, subject: outURL.path, detail: "cannot write: \(error.localizedDescription)",
                    hint: "check that the folder exists and is writable")
            }
            return overlay.slice
        }
        context.output.write("Wrote \(outURL.path): case \(caseID), axial slice \(slice)\n")
    }
}
