import Artifacts

extension CommandContext {
    /// The services' artifact store (`ACTIVESEG_ARTIFACT_ROOT`): commands that read stored cases or
    /// checkpoints open the folder the services write, and say how to point at it when it is not
    /// there. `alternative` is what else the user may do, added to the hint.
    func artifactStore(alternative: String? = nil) throws -> ArtifactStore {
        do {
            return try ArtifactStore(environment: environment)
        } catch {
            throw CommandLineError(
                .unavailable, subject: "artifact store", detail: "\(error)",
                hint: "set ACTIVESEG_ARTIFACT_ROOT to the services' artifact folder (`.stack/env` has it)"
                    + (alternative.map { ", or \($0)" } ?? ""))
        }
    }
}
