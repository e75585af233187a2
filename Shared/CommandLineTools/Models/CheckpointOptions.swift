import ArgumentParser
import Domain
import Foundation

/// Where a command's network comes from: a checkpoint file, or a model the trainer stored (its
/// checkpoint read through PostgreSQL and the artifact store). Exactly one of them.
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
}
