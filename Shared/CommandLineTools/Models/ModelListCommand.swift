import ArgumentParser
import Domain
import Foundation

/// `activeseg model list`: the models the trainer stored, so a person can pick one for
/// `model predict --model-id`.
struct ModelListCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List stored models: experiment, round, training cases and test Dice.",
        discussion: """
            Asks the orchestrator for the models the trainer recorded. A model without an \
            experiment is its dataset's full-data reference.
            """)

    @Option(help: "Only the models of this experiment.")
    var experiment: UUIDArgument?

    @Option(help: "Only the models trained on this dataset.")
    var dataset: UUIDArgument?

    @Flag(help: "Print the models as JSON.")
    var json = false

    func run(in context: CommandContext) async throws {
        let (experiment, dataset) = (experiment.map { ExperimentID($0.value) }, dataset.map { DatasetID($0.value) })
        let models = try await ServiceClient.with(context) { client in
            try await ModelSummary.matching(client, experiment: experiment, dataset: dataset)
        }
        context.output.write(json ? try JSONOutput.encode(models) : Self.text(models))
    }

    static func text(_ models: [ModelSummary]) -> String {
        guard !models.isEmpty else { return "no models\n" }
        let rows = models.map { model in
            [
                model.id.wireForm, model.experimentID?.wireForm ?? "full-data",
                model.round.map(String.init) ?? "", model.ensembleMember.map(String.init) ?? "", model.profile,
                "\(model.trainingCases)", "\(model.epochs)",
                model.meanTestDice.map { String(format: "%.4f", $0) } ?? "",
            ]
        }
        return TextFormat.table(
            header: ["id", "experiment", "round", "member", "profile", "cases", "epochs", "test dice"],
            rows: rows, rightAligned: [2, 3, 5, 6, 7]
        ).joined(separator: "\n") + "\n"
    }
}
