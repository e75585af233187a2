import ArgumentParser
import Domain
import Foundation
import Proto

/// `activeseg experiment create`: records an experiment without starting it.
struct ExperimentCreateCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Record an experiment (not started).")

    @OptionGroup var settings: ExperimentSettings

    @Option(help: "The strategy: \(StrategyName.allValueStrings.joined(separator: ", ")).")
    var strategy: StrategyName

    @Option(help: "A name for people.")
    var name: String?

    @Flag(help: "Start it right away.")
    var start = false

    @Flag(help: "Print the status as JSON.")
    var json = false

    func run(in context: CommandContext) async throws {
        let spec = try settings.spec(for: strategy, name: name ?? strategy.description)
        let request = CreateExperimentRequest.with {
            $0.experimentID = ExperimentID.random().wireForm
            $0.spec = spec
        }
        var status = try await ServiceClient.with(context) { client in
            try await client.call(OrchestratorRPC.create, request)
        }
        if start {
            status = try await ServiceClient.with(context) { client in
                try await client.call(OrchestratorRPC.start, .with { $0.experimentID = request.experimentID })
            }
        }
        context.output.write(json ? try ExperimentText.json(status) : ExperimentText.detail(status))
    }
}

/// The experiment id argument and `--json` flag of the commands that act on one experiment.
struct OneExperiment: ParsableArguments {
    @Argument(help: "The experiment's id.")
    var id: String

    @Flag(help: "Print the status as JSON.")
    var json = false

    func write(_ status: ExperimentStatus, in context: CommandContext) throws {
        context.output.write(json ? try ExperimentText.json(status) : ExperimentText.detail(status))
    }
}

/// `activeseg experiment start`: begins round 0.
struct ExperimentStartCommand: ContextualCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a created experiment.")

    @OptionGroup var experiment: OneExperiment

    func run(in context: CommandContext) async throws {
        let status = try await ServiceClient.with(context) { client in
            try await client.call(OrchestratorRPC.start, .with { $0.experimentID = experiment.id })
        }
        try experiment.write(status, in: context)
    }
}

/// `activeseg experiment status`: where an experiment stands.
struct ExperimentStatusCommand: ContextualCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show where an experiment stands.")

    @OptionGroup var experiment: OneExperiment

    func run(in context: CommandContext) async throws {
        let status = try await ServiceClient.with(context) { client in
            try await client.call(OrchestratorRPC.status, .with { $0.experimentID = experiment.id })
        }
        try experiment.write(status, in: context)
        if status.state == .failed {
            throw CommandLineError(.failed, subject: "experiment \(experiment.id)", detail: status.failureReason)
        }
    }
}

/// `activeseg experiment cancel`: stops after the current phase.
struct ExperimentCancelCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Stop an experiment after its current phase.")

    @OptionGroup var experiment: OneExperiment

    @Option(help: "Kept in the record.")
    var reason = "cancelled from the command line"

    func run(in context: CommandContext) async throws {
        let status = try await ServiceClient.with(context) { client in
            try await client.call(
                OrchestratorRPC.cancel,
                .with {
                    $0.experimentID = experiment.id
                    $0.reason = reason
                })
        }
        try experiment.write(status, in: context)
    }
}

/// `activeseg experiment list`: the experiments on record, newest first.
struct ExperimentListCommand: ContextualCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the experiments on record.")

    @Option(help: "Only experiments on this dataset.")
    var dataset: String?

    @Flag(help: "Print the list as JSON.")
    var json = false

    func run(in context: CommandContext) async throws {
        let list = try await ServiceClient.with(context) { client in
            try await client.call(OrchestratorRPC.list, .with { $0.datasetID = dataset ?? "" })
        }
        if json {
            context.output.write(try ExperimentText.json(list))
        } else if list.experiments.isEmpty {
            context.output.write("no experiments\n")
        } else {
            context.output.write(list.experiments.map(ExperimentText.line).joined(separator: "\n") + "\n")
        }
    }
}
