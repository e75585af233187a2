import ArgumentParser
import Domain
import Foundation
import Proto

/// `activeseg case list`: every imported case with its state, split and failure reason.
struct CaseListCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List imported cases: state, split, label and why a case failed.")

    enum State: String, ExpressibleByArgument, CaseIterable {
        case ingested, failed

        var caseState: CaseState { self == .ingested ? .ingested : .failed }
    }

    @Option(help: "Only the cases of this dataset (its id).")
    var dataset: UUIDArgument?

    @Option(help: "Only cases in this state: ingested or failed.")
    var state: State?

    @Flag(help: "Print the cases as JSON.")
    var json = false

    func run(in context: CommandContext) async throws {
        let (dataset, state) = (dataset.map { DatasetID($0.value) }, state?.caseState ?? .unspecified)
        let cases = try await ServiceClient.with(context) { client in
            try await CaseSummary.matching(client, dataset: dataset, state: state)
        }
        context.output.write(json ? try JSONOutput.encode(cases) : Self.text(cases))
    }

    static func text(_ cases: [CaseSummary]) -> String {
        guard !cases.isEmpty else { return "no cases\n" }
        let rows = cases.map { summary in
            [
                summary.id.wireForm, summary.dataset, summary.name, summary.state, summary.split ?? "",
                summary.labelled ? "yes" : "no", summary.failureReason ?? "",
            ]
        }
        return TextFormat.table(header: ["id", "dataset", "case", "state", "split", "label", "failure"], rows: rows)
            .joined(separator: "\n") + "\n"
    }
}
