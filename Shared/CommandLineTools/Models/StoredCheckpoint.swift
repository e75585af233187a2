import Artifacts
import Domain
import Foundation

/// The checkpoint file of a model the trainer recorded: the orchestrator's model list names the
/// artifact, and the artifact store (`ACTIVESEG_ARTIFACT_ROOT`) holds the bytes.
///
/// Commands read the store's file in place, verified against its hash, rather than having a service
/// send it: a local prediction runs beside the services, with their artifact folder.
enum StoredCheckpoint {
    static func file(of modelID: ModelID, context: CommandContext) async throws -> URL {
        let id = modelID.wireForm
        let artifacts = try context.artifactStore()
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
        do {
            return try artifacts.path(for: artifact)
        } catch {
            throw CommandLineError(
                .dataError, subject: "model \(id)", detail: "its checkpoint cannot be read: \(error)",
                hint: "check that ACTIVESEG_ARTIFACT_ROOT is the folder the trainer writes to")
        }
    }
}
