import ArgumentParser

/// `activeseg label`: labels a person delivers in `human` annotation mode.
struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Deliver labels for picked cases.",
        subcommands: [LabelImportCommand.self])
}
