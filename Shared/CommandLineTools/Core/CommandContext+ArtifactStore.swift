import Artifacts
import Foundation
import ServiceRuntime

extension CommandContext {
    /// The services' artifact store, as their `ServiceConfiguration` reads it from the same keys
    /// (`ACTIVESEG_ARTIFACT_BACKEND`, `ACTIVESEG_ARTIFACT_ROOT` or the NATS bucket and cache), with
    /// the same defaults: commands that read stored cases or checkpoints, or hand a local checkpoint
    /// to a service, open the store the services use, and say how to point at it when it cannot be
    /// opened. `alternative` is what else the user may do, added to the hint.
    func artifactStore(alternative: String? = nil) throws -> ArtifactStore {
        let hint =
            "set ACTIVESEG_ARTIFACT_ROOT to the services' artifact folder (`.stack/env` has it), or "
            + "ACTIVESEG_ARTIFACT_BACKEND=nats with the services' NATS settings"
            + (alternative.map { ", or \($0)" } ?? "")
        do {
            return try ServiceConfiguration(service: "cli", environment: environment).artifactStore()
        } catch {
            throw CommandLineError(.unavailable, subject: "artifact store", detail: "\(error)", hint: hint)
        }
    }
}
