import ArgumentParser

/// `activeseg model`: U-Net checkpoints outside the services, for people who bring their own images
/// or want to load a model elsewhere.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Create checkpoints, list the stored models and segment NIfTI images with either.",
        subcommands: [ModelInitCommand.self, ModelPredictCommand.self, ModelListCommand.self])
}
