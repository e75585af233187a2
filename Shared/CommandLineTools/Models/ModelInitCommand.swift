import ArgumentParser
import Foundation
import Neural

/// `activeseg model init`: an untrained checkpoint of a profile's network, the starting point a
/// person can train elsewhere or check a loader against.
struct ModelInitCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a freshly initialised U-Net checkpoint (safetensors) of a profile's network.",
        discussion: """
            The weights depend on the seed alone: the same profile and seed give byte-identical \
            files. The metadata records the profile and the seed, so `model predict` knows the \
            preprocessing grid.
            """)

    @Option(help: "The profile whose network is built: \(ProfileArgument.allValueStrings.joined(separator: ", ")).")
    var profile: ProfileArgument

    @Option(help: "Seed of the weight initialisation.")
    var seed: UInt64

    @Option(help: "The checkpoint file to write (.safetensors).")
    var out: String

    func run(in context: CommandContext) async throws {
        let url = context.url(for: out)
        let (profile, seed) = (profile.profile, seed)
        let parameterCount = try await blockingWork {
            let network = UNet3D(config: profile.network, seed: seed)
            do {
                try Checkpoint.save(
                    network, metadata: ["profile": profile.name.rawValue, "seed": String(seed)], to: url)
            } catch {
                throw CommandLineError(
                    .failed, subject: url.path, detail: "cannot write the checkpoint: \(error)",
                    hint: "check that the folder exists and is writable")
            }
            return network.namedParameters.reduce(0) { $0 + $1.parameter.value.count }
        }
        context.output.write("Wrote \(url.path): profile \(profile.name), seed \(seed), \(parameterCount) parameters\n")
    }
}
