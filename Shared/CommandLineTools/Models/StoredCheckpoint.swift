import Artifacts
import Domain
import Foundation

/// The checkpoint of a model the trainer recorded: the orchestrator's model list names the
/// artifact, and the artifact store (`ACTIVESEG_ARTIFACT_ROOT`) holds the bytes.
///
/// Commands read the store's file in place, verified against its hash, rather than having a service
/// send it: a local prediction runs beside the services, with their artifact folder.
enum StoredCheckpoint {
    /// The checkpoint artifact of the model, as the orchestrator's model list names it.
    static func artifact(of modelID: ModelID, context: CommandContext) async throws -> ArtifactID {
        let id = modelID.wireForm
        let model = try await ServiceClient.with(context) { try await ModelSummary.matching($0, id: modelID).first }
        guard let model else {
            throw CommandLineError(
                .dataError, subject: "model \(id)", detail: "not on record",
                hint: "`activeseg model list` shows the stored models")
        }
        guard let artifact = ArtifactID(sha256: model.checkpointSHA256) else {
            throw CommandLineError(
                .dataError, subject: "model \(id)",
                detail: "its checkpoint hash '\(model.checkpointSHA256)' is not a SHA-256")
        }
        return artifact
    }

    /// The checkpoint's file in the artifact store.
    static func file(of modelID: ModelID, context: CommandContext) async throws -> URL {
        let artifacts = try context.artifactStore()
        let artifact = try await artifact(of: modelID, context: context)
        do {
            return try artifacts.path(for: artifact)
        } catch {
            throw CommandLineError(
                .dataError, subject: "model \(modelID.wireForm)", detail: "its checkpoint cannot be read: \(error)",
                hint: "check that ACTIVESEG_ARTIFACT_ROOT is the folder the trainer writes to")
        }
    }
}
