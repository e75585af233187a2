import ArgumentParser

/// `activeseg stats`: the statistics the learning-curve reports use, on numbers from files.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Statistical tests on per-case numbers.",
        subcommands: [TOSTCommand.self])
}
