import ArgumentParser
import Artifacts
import Domain
import Foundation

/// Where a command's network comes from: a checkpoint file, or a model the trainer stored (its
/// checkpoint named by the orchestrator's model list and held by the artifact store). Exactly one of
/// them.
struct CheckpointOptions: ParsableArguments {
    @Option(help: "The checkpoint (.safetensors) from `model init`, the trainer or the artifact store.")
    var checkpoint: String?

    @Option(help: "A stored model's id (from `activeseg model list`); its checkpoint is read from the artifact store.")
    var modelID: UUIDArgument?

    func validate() throws {
        if (checkpoint == nil) == (modelID == nil) {
            throw ValidationError("give either --checkpoint FILE or --model-id ID")
        }
    }

    /// The file named by --checkpoint, or the stored model's checkpoint in the artifact store.
    func file(in context: CommandContext) async throws -> URL {
        if let modelID { return try await StoredCheckpoint.file(of: ModelID(modelID.value), context: context) }
        guard let checkpoint else {
            throw CommandLineError(
                .usage, subject: "checkpoint", detail: "give either --checkpoint FILE or --model-id ID")
        }
        return context.url(for: checkpoint)
    }

    /// The checkpoint as an artifact of the services' store, for a service to predict with: the
    /// stored model's, or the file named by --checkpoint, put into the store first (content-addressed,
    /// so the same file is stored once).
    func artifact(in context: CommandContext, store: ArtifactStore) async throws -> ArtifactID {
        if let modelID { return try await StoredCheckpoint.artifact(of: ModelID(modelID.value), context: context) }
        let url = try await file(in: context)
        return try await blockingWork {
            do {
                return try store.put(contentsOf: url)
            } catch {
                throw CommandLineError(
                    .dataError, subject: url.path, detail: "cannot be put into the artifact store: \(error)",
                    hint: "pass a .safetensors file written by `activeseg model init` or the trainer")
            }
        }
    }
}
