import ArgumentParser
import Foundation
import Proto

/// `activeseg experiment compare`: one experiment per strategy on one dataset with the same
/// initial set and seeds, run to the end, then the paper's summary: the share of the training data
/// each strategy needed for a model equivalent to the full-data one, and that share relative to
/// random query's.
struct ExperimentCompareCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Run several strategies on one dataset with the same seeds and compare the data they needed.",
        discussion: """
            Default strategies: \(StrategyName.standard.map(\.description).joined(separator: ", ")); \
            --all adds \(StrategyName.all.dropFirst(StrategyName.standard.count).map(\.description).joined(separator: ", ")).
            """)

    @OptionGroup var settings: ExperimentSettings

    @Option(name: .customLong("strategy"), help: "A strategy to compare (repeat the option).")
    var strategies: [StrategyName] = []

    @Flag(help: "All seven strategies of the paper's comparison.")
    var all = false

    @Option(help: "Seconds between status polls.")
    var poll: Double = 2

    @Option(help: "Also write the experiment ids, one per line, to this file (for `activeseg report`).")
    var idsOut: String?

    @Flag(help: "Print the comparison as JSON.")
    var json = false

    func validate() throws {
        guard poll > 0 else { throw ValidationError("--poll must be positive") }
        if all, !strategies.isEmpty { throw ValidationError("give either --all or --strategy, not both") }
    }

    var chosen: [StrategyName] {
        var seen = Set<StrategyName>()
        return (strategies.isEmpty ? (all ? StrategyName.all : StrategyName.standard) : strategies)
            .filter { seen.insert($0).inserted }
    }

    func run(in context: CommandContext) async throws {
        let strategies = chosen
        let specs = try strategies.map { try settings.spec(for: $0, name: "compare \($0)") }
        let ids = strategies.map { _ in UUID().uuidString.lowercased() }
        let (finals, elapsed, comparison) = try await ServiceClient.with(context) { client in
            for (id, spec) in zip(ids, specs) {
                _ = try await client.call(OrchestratorRPC.create, .with { $0.experimentID = id; $0.spec = spec })
                _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id })
            }
            if let idsOut {
                try (ids.joined(separator: "\n") + "\n").write(to: context.url(for: idsOut), atomically: true, encoding: .utf8)
            }
            let (finals, elapsed) = try await follow(ids, client: client, context: context)
            let baseline = zip(strategies, ids).first { $0.0.method == .random }?.1 ?? ids[0]
            let comparison = try await client.call(OrchestratorRPC.compare, .with {
                $0.experimentIds = ids
                $0.baselineExperimentID = baseline
            })
            return (finals, elapsed, comparison)
        }
        if json {
            context.output.write(try ExperimentText.json(comparison))
        } else {
            context.output.write(Self.table(comparison, finals: finals, elapsed: elapsed))
        }
        let failed = finals.filter { $0.state == .failed }
        if !failed.isEmpty {
            throw CommandLineError(.failed, subject: "experiment compare",
                                   detail: failed.map { "\(ExperimentText.strategy(of: $0.spec)): \($0.failureReason)" }
                                       .joined(separator: "; "),
                                   hint: "the services' logs say more")
        }
    }

    /// Polls every experiment until each has stopped, printing a line whenever one changes round
    /// or phase; returns the last statuses and the seconds each took.
    private func follow(_ ids: [String], client: ServiceClient,
                        context: CommandContext) async throws -> ([ExperimentStatus], [TimeInterval]) {
        let started = Date()
        var last = [String: ExperimentStatus]()
        var finishedAfter = [String: TimeInterval]()
        while finishedAfter.count < ids.count {
            for id in ids where finishedAfter[id] == nil {
                let status = try await client.call(OrchestratorRPC.status, .with { $0.experimentID = id })
                let previous = last[id]
                if previous?.round != status.round || previous?.phase != status.phase || previous?.state != status.state {
                    let seconds = Int(Date().timeIntervalSince(started))
                    context.errors.write(String(format: "[%4ds] ", seconds) + ExperimentText.line(status) + "\n")
                }
                last[id] = status
                if ExperimentText.isTerminal(status.state) { finishedAfter[id] = Date().timeIntervalSince(started) }
            }
            if finishedAfter.count < ids.count { try await Task.sleep(for: .seconds(poll)) }
        }
        return (ids.compactMap { last[$0] }, ids.compactMap { finishedAfter[$0] })
    }

    /// The paper's Table-3 layout: per strategy, repetitions reaching equivalence, the mean data
    /// share at the first equivalent round and that share relative to random query's, with the
    /// labels each run used in the end and its wall-clock time.
    static func table(_ comparison: ExperimentComparison, finals: [ExperimentStatus], elapsed: [TimeInterval]) -> String {
        let rows = comparison.outcomes.map { outcome -> [String] in
            let index = finals.firstIndex { $0.experimentID == outcome.experimentID }
            let status = index.map { finals[$0] }
            let equivalent = outcome.equivalentRepetitions > 0
            return [
                StrategyName(method: outcome.strategy, restriction: outcome.restriction).description,
                status.map { ExperimentText.state($0.state) } ?? "-",
                "\(outcome.equivalentRepetitions)/\(outcome.repetitions)",
                equivalent ? ExperimentText.percent(outcome.share) : "not reached",
                equivalent && outcome.shareOfBaseline > 0 ? ExperimentText.percent(outcome.shareOfBaseline) : "-",
                status.map { ExperimentText.percent(ExperimentText.labelShare($0)) } ?? "-",
                index.map { String(format: "%.0f s", elapsed[$0]) } ?? "-",
            ]
        }
        let header = ["strategy", "state", "equivalent", "data share", "of random's", "labels used", "time"]
        return TextFormat.table(header: header, rows: rows, rightAligned: [2, 3, 4, 5, 6]).joined(separator: "\n") + "\n"
    }
}
