import Artifacts
import Foundation
import ServiceRuntime

extension CommandContext {
    /// The services' artifact store, at the root their `ServiceConfiguration` reads
    /// (`ACTIVESEG_ARTIFACT_ROOT`, with the same default): commands that read stored cases or
    /// checkpoints, or hand a local checkpoint to a service, open the folder the services use, and
    /// say how to point at it when it cannot be opened. `alternative` is what else the user may
    /// do, added to the hint.
    func artifactStore(alternative: String? = nil) throws -> ArtifactStore {
        let hint =
            "set ACTIVESEG_ARTIFACT_ROOT to the services' artifact folder (`.stack/env` has it)"
            + (alternative.map { ", or \($0)" } ?? "")
        let root: String
        do {
            root = try ServiceConfiguration(service: "cli", environment: environment).artifactRoot
        } catch {
            throw CommandLineError(.unavailable, subject: "artifact store", detail: "\(error)", hint: hint)
        }
        do {
            return try ArtifactStore(root: URL(fileURLWithPath: root, isDirectory: true))
        } catch {
            throw CommandLineError(.unavailable, subject: "artifact store", detail: "\(error)", hint: hint)
        }
    }
}
