import ArgumentParser

/// `activeseg case`: what became of each imported case, read from the services' database.
struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "List cases and show one case's state, split and rounds.",
        subcommands: [CaseListCommand.self, CaseShowCommand.self, CaseOverlayCommand.self])
}
