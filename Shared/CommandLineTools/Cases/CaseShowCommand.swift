import ArgumentParser
import Domain
import Foundation

/// `activeseg case show ID`: one case's state, and in which experiments and rounds it was picked
/// and annotated.
struct CaseShowCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one case: state, failure reason, split, and the rounds that picked and annotated it.")

    /// What `case show` reports.
    struct Report: Codable, Sendable, Equatable {
        var `case`: CaseSummary
        var experiments: [CaseHistory]
    }

    @Argument(help: "The case's id (from `activeseg case list`).")
    var id: UUIDArgument

    @Flag(help: "Print the case as JSON.")
    var json = false

    func run(in context: CommandContext) async throws {
        let id = CaseID(id.value)
        let report = try await ServiceClient.with(context) { client in
            guard let summary = try await CaseSummary.matching(client, id: id).first else {
                throw CommandLineError(
                    .dataError, subject: "case \(id)", detail: "no such case",
                    hint: "`activeseg case list` shows the ids")
            }
            return Report(case: summary, experiments: try await CaseHistory.of(id, client))
        }
        context.output.write(json ? try JSONOutput.encode(report) : Self.text(report))
    }

    static func text(_ report: Report) -> String {
        let summary = report.case
        var pairs: [(String, String)] = [
            ("case", "\(summary.name) (\(summary.id))"),
            ("dataset", "\(summary.dataset) (\(summary.datasetID))"),
            ("patient", summary.patient),
            ("state", summary.state),
        ]
        if let reason = summary.failureReason { pairs.append(("failure", reason)) }
        if let split = summary.split { pairs.append(("split", split)) }
        pairs.append(("label", summary.labelled ? "yes" : "no"))
        var lines = TextFormat.fields(pairs)
        if report.experiments.isEmpty {
            if summary.split == "train" { lines.append("picked by no experiment") }
        } else {
            lines.append("")
            let rows = report.experiments.map { history in
                [
                    history.experiment,
                    StrategyName(strategy: history.strategy, restriction: history.restriction).description,
                    "\(history.selectedRound)", "\(history.selectionRank)",
                    history.annotatedRound.map(String.init) ?? "not yet",
                ]
            }
            lines += TextFormat.table(
                header: ["experiment", "strategy", "picked in round", "rank", "annotated from round"],
                rows: rows, rightAligned: [2, 3])
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
