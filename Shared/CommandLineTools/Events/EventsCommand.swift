import ArgumentParser

/// `activeseg events`: the platform's event stream (imports, rounds, training progress).
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Follow the events the services publish.",
        subcommands: [EventsTailCommand.self])
}
