import Foundation
import Neural
import Profiles

/// A checkpoint named on the command line, with the errors a person can act on.
enum CheckpointFile {
    static func load(_ url: URL) throws -> Checkpoint.Loaded {
        do {
            return try Checkpoint.load(from: url)
        } catch let error as CheckpointError {
            throw CommandLineError(
                .dataError, subject: url.path, detail: "not a usable checkpoint: \(error)",
                hint: "pass a .safetensors file written by `activeseg model init` or the trainer")
        }
    }

    /// The profile the checkpoint records (`model init` and the trainer write it).
    static func profile(of loaded: Checkpoint.Loaded, file: String) throws -> ExperimentProfile {
        guard let name = loaded.metadata["profile"] else {
            throw CommandLineError(
                .usage, subject: file, detail: "the checkpoint records no profile",
                hint: "name one with --profile tiny|cpu|paper")
        }
        do {
            return try ExperimentProfile(named: name)
        } catch {
            throw CommandLineError(.dataError, subject: file, detail: "\(error)", hint: "name one with --profile")
        }
    }
}
