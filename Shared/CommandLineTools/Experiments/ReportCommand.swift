import ArgumentParser
import Domain
import Foundation
import Reporting
import Statistics

/// `activeseg report`: the report folder of a comparison, made only from stored numbers: the
/// Table-3-style summary (Markdown), every round's statistics (CSV), the learning curves (SVG) and
/// every test case's Dice (CSV); and, drawn from the stored cases and models, a picture of every
/// picked case (`PickedCaseOverlays`).
struct ReportCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the report folder of one or more experiments on one dataset.",
        discussion: """
            Writes summary.md, rounds.csv, learning-curve.svg and per-case-dice.csv to --out. Asks the \
            orchestrator for the stored per-case Dice. The baseline is the random \
            experiment when there is one. Unless --no-overlays, also writes overlays/STRATEGY/round-R-RANK-CASE.png \
            for every case picked after round 0: its largest-tumor axial slice with the truth (green) and \
            the prediction of the model it was picked with (red), read from ACTIVESEG_ARTIFACT_ROOT.
            """)

    @Option(name: .customLong("experiment"), help: "An experiment id (repeat the option).")
    var experiments: [String] = []

    @Option(help: "A file of experiment ids, one per line (as `experiment compare --ids-out` writes).")
    var ids: String?

    @Option(help: "The folder to write (created if missing).")
    var out: String

    @Flag(inversion: .prefixedNo, help: "Draw every picked case with the model it was picked with (overlays/).")
    var overlays = true

    func run(in context: CommandContext) async throws {
        var texts = experiments
        if let ids {
            let url = context.url(for: ids)
            guard let content = try? String(contentsOf: url, encoding: .utf8) else {
                throw CommandLineError(.dataError, subject: url.path, detail: "cannot be read")
            }
            texts += content.split(whereSeparator: \.isNewline).map(String.init)
        }
        let parsed = texts.map { ExperimentID(wireForm: $0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, !parsed.contains(nil) else {
            throw CommandLineError(.usage, subject: "report", detail: "give experiment ids (--experiment or --ids)")
        }
        let stored = try await ServiceClient.with(context) { client in
            try await StoredEvaluations.read(parsed.compactMap { $0 }, client: client)
        }
        guard let analysis = try stored.analysis() else {
            throw CommandLineError(
                .failed, subject: "report", detail: "the full-data model has no stored Dice",
                hint: "wait until the experiments have evaluated round 0; a dataset whose training split "
                    + "was unlabelled at the start has no full-data model to report against")
        }
        let folder = context.url(for: out)
        let files = [
            ("summary.md", LearningCurveReport.markdown(analysis, fullDataMembers: stored.fullDataMembers)),
            ("rounds.csv", LearningCurveReport.csv(analysis)),
            ("learning-curve.svg", LearningCurvePlot.svg(analysis)),
            ("per-case-dice.csv", Self.perCaseCSV(stored)),
        ]
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, text) in files {
                try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        } catch {
            throw CommandLineError(.failed, subject: folder.path, detail: "cannot be written: \(error)")
        }
        var lines =
            LearningCurveReport.markdown(analysis, fullDataMembers: stored.fullDataMembers)
            + "\nreport: \(folder.path)\n"
        if overlays {
            let experiments = zip(parsed.compactMap { $0 }, stored.strategies).map { (id: $0, strategy: $1) }
            let count = try await PickedCaseOverlays.write(
                experiments, to: folder.appendingPathComponent("overlays"),
                context: context)
            lines += "overlays: \(count) picked cases drawn in \(folder.appendingPathComponent("overlays").path)\n"
        }
        context.output.write(lines)
    }

    /// One row per model and test case; the full-data model's rows have strategy `full-data`.
    static func perCaseCSV(_ stored: StoredEvaluations) -> String {
        var lines = ["strategy,round,annotated_cases,case_id,dice"]
        for (caseID, dice) in stored.fullDataDice.sorted(by: { $0.key < $1.key }) {
            lines.append("full-data,,\(stored.trainingPoolSize),\(caseID),\(dice)")
        }
        for evaluation in stored.evaluations {
            for round in evaluation.rounds {
                for (caseID, dice) in round.dice.sorted(by: { $0.key < $1.key }) {
                    lines.append("\(evaluation.strategy),\(round.round),\(round.annotatedCases),\(caseID),\(dice)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
