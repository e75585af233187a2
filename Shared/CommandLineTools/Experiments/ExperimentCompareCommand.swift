import ArgumentParser
import Domain
import Foundation
import Proto
import Reporting
import Statistics

/// `activeseg experiment compare`: one experiment per strategy and repetition on one dataset, run
/// to the end, then the paper's summary: the share of the training data each strategy needed for a
/// model equivalent to the full-data one, averaged over its repetitions, and that share relative to
/// random query's. As each round finishes it prints the round's mean Dice difference to the
/// full-data model with its interval beside the margin (`RoundProgress`).
///
/// Repetition r runs every strategy with the seed `--seed` + r, so within a repetition the
/// strategies share the initial set and differ only in the strategy. The baseline is random query
/// when it is compared (else the first strategy given): all its repetitions together, as the
/// orchestrator's Compare averages them.
struct ExperimentCompareCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run several strategies on one dataset with the same seeds and compare the data they needed.",
        discussion: """
            Default strategies: \(StrategyName.standard.map(\.description).joined(separator: ", ")); \
            --all adds \(StrategyName.all.dropFirst(StrategyName.standard.count).map(\.description).joined(separator: ", ")). \
            Repetition r runs every strategy with seed + r. When --timeout passes before every experiment \
            has stopped, the command names those still running and exits with status 1; they keep running.
            """)

    /// How long the command waits by default: a day covers the cpu profile many times over;
    /// the paper profile needs a longer `--timeout`.
    static let defaultTimeout: Double = 86_400

    @OptionGroup var settings: ExperimentSettings

    @Option(name: .customLong("strategy"), help: "A strategy to compare (repeat the option).")
    var strategies: [StrategyName] = []

    @Flag(help: "All seven strategies of the paper's comparison.")
    var all = false

    @Option(help: "Repetitions of each strategy; repetition r uses seed + r.")
    var repetitions: Int = 1

    @Option(help: "Seconds to wait for every experiment to stop (default: 86400, one day).")
    var timeout: Double = Self.defaultTimeout

    @Option(help: "Seconds between status polls.")
    var poll: Double = 2

    @Option(help: "Also write the experiment ids, one per line, to this file (for `activeseg report`).")
    var idsOut: String?

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    func validate() throws {
        guard poll > 0 else { throw ValidationError("--poll must be positive") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        guard timeout > 0, timeout.isFinite else {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
        if all, !strategies.isEmpty { throw ValidationError("give either --all or --strategy, not both") }
    }

    var chosen: [StrategyName] {
        var seen = Set<StrategyName>()
        return (strategies.isEmpty ? (all ? StrategyName.all : StrategyName.standard) : strategies)
            .filter { seen.insert($0).inserted }
    }

    /// One experiment of the comparison.
    struct Run: Sendable {
        var id: String
        var strategy: StrategyName
        var repetition: Int
        var spec: ExperimentSpec

        var label: String { "\(strategy) repetition \(repetition + 1) (\(id))" }
    }

    /// Every strategy's experiment of each repetition, repetition by repetition.
    func plannedRuns() throws -> [Run] {
        try (0..<repetitions).flatMap { repetition in
            try chosen.map { strategy in
                let name = repetitions == 1 ? "compare \(strategy)" : "compare \(strategy) #\(repetition + 1)"
                return Run(
                    id: ExperimentID.random().wireForm, strategy: strategy, repetition: repetition,
                    spec: try settings.spec(for: strategy, name: name, repetition: repetition))
            }
        }
    }

    func run(in context: CommandContext) async throws {
        let runs = try plannedRuns()
        let ids = runs.map(\.id)
        let (finals, elapsed, comparison) = try await ServiceClient.with(context) { client in
            for run in runs {
                _ = try await client.call(
                    OrchestratorRPC.create,
                    .with {
                        $0.experimentID = run.id
                        $0.spec = run.spec
                    })
                _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = run.id })
            }
            if let idsOut {
                try (ids.joined(separator: "\n") + "\n").write(
                    to: context.url(for: idsOut), atomically: true, encoding: .utf8)
            }
            let (finals, elapsed) = try await follow(runs, client: client, context: context)
            let baseline = runs.first { $0.strategy.strategy == .random }?.id ?? ids[0]
            let comparison = try await client.call(
                OrchestratorRPC.compare,
                .with {
                    $0.experimentIds = ids
                    $0.baselineExperimentID = baseline
                })
            return (finals, elapsed, comparison)
        }
        if json {
            context.output.write(try ExperimentText.json(comparison))
        } else {
            let analysis: Result<LearningCurveAnalysis?, Error>
            do {
                let stored = try await ServiceClient.with(context) { client in
                    try await StoredEvaluations.read(ids.compactMap { ExperimentID(wireForm: $0) }, client: client)
                }
                analysis = .success(try stored.analysis(design: RoundProgress.design(runs[0].spec.test)))
            } catch {
                analysis = .failure(error)
            }
            context.output.write(Self.table(comparison, finals: finals, elapsed: elapsed, analysis: analysis))
        }
        let failed = finals.filter { $0.state == .failed }
        if !failed.isEmpty {
            throw CommandLineError(
                .failed, subject: "experiment compare",
                detail: failed.map {
                    "\(ExperimentText.strategy($0.spec.strategy, $0.spec.restriction)): \($0.failureReason)"
                }
                .joined(separator: "; "),
                hint: "the services' logs say more")
        }
    }

    /// Polls every experiment until each has stopped, printing a line whenever one changes round
    /// or phase; returns the last statuses and the seconds each took. Past `timeout` it stops
    /// waiting and fails, naming the experiments still running.
    private func follow(
        _ runs: [Run], client: ServiceClient,
        context: CommandContext
    ) async throws -> ([ExperimentStatus], [TimeInterval]) {
        let started = Date()
        var last = [String: ExperimentStatus]()
        var finishedAfter = [String: TimeInterval]()
        var progress = RoundProgress()
        while finishedAfter.count < runs.count {
            for run in runs where finishedAfter[run.id] == nil {
                let status: ExperimentStatus
                do {
                    status = try await client.call(OrchestratorRPC.status, .with { $0.experimentID = run.id })
                } catch let error as CommandLineError where error.code == .unavailable && last[run.id] != nil {
                    // Answered before, so the orchestrator is only out of reach for a moment (a NATS
                    // node failing over, another orchestrator taking the lead): ask again at the next
                    // poll, still bounded by --timeout.
                    continue
                }
                let previous = last[run.id]
                let stamp = String(format: "[%4ds] ", Int(Date().timeIntervalSince(started)))
                if previous?.round != status.round || previous?.phase != status.phase || previous?.state != status.state
                {
                    context.errors.write(stamp + ExperimentText.line(status) + "\n")
                }
                // A round finished when the next one began or the experiment stopped.
                if previous.map({ $0.round != status.round }) ?? false || ExperimentText.isTerminal(status.state) {
                    for line in await progress.newRounds(of: run, client: client) {
                        context.errors.write(stamp + line + "\n")
                    }
                }
                last[run.id] = status
                if ExperimentText.isTerminal(status.state) { finishedAfter[run.id] = Date().timeIntervalSince(started) }
            }
            guard finishedAfter.count < runs.count else { break }
            let waited = Date().timeIntervalSince(started)
            guard waited < timeout else {
                let running = runs.filter { finishedAfter[$0.id] == nil }.map { run in
                    "\(run.label): " + (last[run.id].map { ExperimentText.line($0) } ?? "no status")
                }
                throw CommandLineError(
                    .failed, subject: "experiment compare",
                    detail:
                        "\(running.count) of \(runs.count) experiments did not finish within \(Self.seconds(timeout)):\n"
                        + running.joined(separator: "\n"),
                    hint: "they keep running: follow one with `activeseg experiment status ID`, stop it with "
                        + "`activeseg experiment cancel ID`, or allow more time with --timeout")
            }
            try await Task.sleep(for: .seconds(min(poll, timeout - waited)))
        }
        return (runs.compactMap { last[$0.id] }, runs.compactMap { finishedAfter[$0.id] })
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// The paper's Table-3 layout: per strategy, repetitions reaching equivalence (the
    /// orchestrator's record), the data share at the first equivalent round and the normalised area
    /// under the budget curve (AUBC) as mean [95% t-interval] across repetitions, the share relative
    /// to random query's, with the state, the labels used in the end and the wall-clock time of its
    /// first repetition. The shares and areas come from `analysis` of the stored per-case Dice
    /// (`StrategySummary` says how a repetition that never reached equivalence counts); a note says
    /// when they could not be read.
    static func table(
        _ comparison: ExperimentComparison, finals: [ExperimentStatus], elapsed: [TimeInterval],
        analysis: Result<LearningCurveAnalysis?, Error>
    ) -> String {
        let summaries = (try? analysis.get())?.summaries ?? []
        let rows = comparison.outcomes.map { outcome -> [String] in
            let index = finals.firstIndex { $0.experimentID == outcome.experimentID }
            let status = index.map { finals[$0] }
            let name = ExperimentText.strategy(outcome.strategy, outcome.restriction)
            let summary = summaries.first { $0.strategy == name }
            return [
                name,
                status.map { ExperimentText.state($0.state) } ?? "-",
                "\(outcome.equivalentRepetitions)/\(outcome.repetitions)",
                summary?.equivalentShare.map { LearningCurveReport.outcome(LearningCurveReport.percent, $0) }
                    ?? "not reached",
                summary?.shareRelativeToBaseline.map(LearningCurveReport.percent) ?? "-",
                summary?.normalisedArea.map { LearningCurveReport.outcome(LearningCurveReport.fixed, $0) } ?? "-",
                status.map { ExperimentText.percent(ExperimentText.labelShare($0)) } ?? "-",
                index.map { String(format: "%.0f s", elapsed[$0]) } ?? "-",
            ]
        }
        let header = ["strategy", "state", "equivalent", "data share", "of random's", "AUBC", "labels used", "time"]
        var lines = TextFormat.table(header: header, rows: rows, rightAligned: [2, 3, 4, 5, 6, 7])
        switch analysis {
        case .failure(let error):
            lines.append("data shares and AUBC unavailable: \(error)")
        case .success(nil):
            lines.append("data shares and AUBC unavailable: the full-data model has no stored Dice")
        case .success:
            lines.append(
                comparison.outcomes.contains { $0.repetitions > 1 }
                    ? "data share and AUBC: mean [95% t-interval of the mean] across repetitions; the share over those that reached equivalence"
                    : "one repetition per strategy: single values, no interval across repetitions")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
