import ArgumentParser

/// `activeseg experiment …`: experiments on the orchestrator service.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Create, run, inspect and compare active-learning experiments.",
        discussion: "Talks to the orchestrator service over NATS (ACTIVESEG_NATS_* as for the services).",
        subcommands: [
            ExperimentCreateCommand.self, ExperimentStartCommand.self, ExperimentStatusCommand.self,
            ExperimentCancelCommand.self, ExperimentListCommand.self, ExperimentCompareCommand.self,
        ])
}
