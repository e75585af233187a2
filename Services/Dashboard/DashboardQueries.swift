import CommandLineTools
import Foundation
import Proto
import Reporting
import ServiceRuntime
import Statistics

/// Builds each page's content from its one owner: the orchestrator's rpcs for what is on record
/// (experiments and their status, the stored per-case Dice, the picks, a comparison), as the
/// command line reads them, the picks' models for their pictures (`PickPictures`), and the `EventLog` for what only the events carry (phase times, training
/// progress, the latest round's verdict). The dashboard reads no database.
struct DashboardQueries: Sendable {
    let client: RPCClient
    let log: EventLog

    /// Answers within a page load; a slower orchestrator is reported as unavailable.
    static let timeout: Duration = .seconds(10)

    func experiments() async throws -> ExperimentsPage {
        let list = try await client.call(OrchestratorRPC.list, ListExperimentsRequest(), timeout: Self.timeout)
        let latest = await log.latest { if case .roundFinished = $0.body { true } else { false } }
        return ExperimentsPage(
            rows: list.experiments.map { status in
                var finished: RoundFinished?
                if case .roundFinished(let round)? = latest[status.experimentID]?.body { finished = round }
                return ExperimentsPage.Row(status: status, latest: finished)
            })
    }

    func experiment(_ id: String) async throws -> ExperimentPage {
        let status = try await client.call(
            OrchestratorRPC.status, .with { $0.experimentID = id }, timeout: Self.timeout)
        let picks = try await PickPictures.picks(of: id, client: client, timeout: Self.timeout)
        let (analysis, note) = try await curve(of: [status])
        return ExperimentPage(
            status: status, analysis: analysis, analysisNote: note ?? "", picks: picks.all,
            pictured: Set(picks.pictured.map { PickPictures.Key(experiment: id, round: $0.round, rank: $0.rank) }),
            activity: ExperimentActivity(await log.events(of: id)), now: Date())
    }

    func comparisons() async throws -> ComparisonsPage {
        let list = try await client.call(OrchestratorRPC.list, ListExperimentsRequest(), timeout: Self.timeout)
        var comparisons: [ComparisonsPage.Comparison] = []
        for (key, experiments) in ComparisonsPage.groups(list.experiments) {
            let ids = experiments.map(\.experimentID)
            let baseline = experiments.first { $0.spec.strategy == .random } ?? experiments[0]
            var comparison = ComparisonsPage.Comparison(key: key, experiments: experiments, outcomes: [])
            do {
                comparison.outcomes =
                    try await client.call(
                        OrchestratorRPC.compare,
                        .with {
                            $0.experimentIds = ids
                            $0.baselineExperimentID = baseline.experimentID
                        }, timeout: Self.timeout
                    ).outcomes
                let (analysis, note) = try await curve(of: experiments)
                comparison.curves = analysis.map { LearningCurvePlot.svg($0) }
                comparison.note = note
            } catch let error as RPCError {
                comparison.note = "The orchestrator did not compare them: \(error.message)"
            }
            comparisons.append(comparison)
        }
        return ComparisonsPage(comparisons: comparisons)
    }

    /// The learning-curve analysis of the experiments' stored Dice, as `activeseg report` makes it,
    /// or why there is none yet.
    private func curve(of experiments: [ExperimentStatus]) async throws -> (LearningCurveAnalysis?, String?) {
        let set = try await client.call(
            OrchestratorRPC.evaluations, .with { $0.experimentIds = experiments.map(\.experimentID) },
            timeout: Self.timeout)
        let stored = StoredEvaluations(set)
        do {
            guard let analysis = try stored.analysis(design: RoundProgress.design(experiments[0].spec.test)) else {
                return (nil, "The full-data model has no test Dice yet; the curve appears once it has.")
            }
            guard analysis.strategies.contains(where: { !$0.rounds.isEmpty }) else {
                return (nil, "No round has finished yet; the curve appears after the first.")
            }
            return (analysis, nil)
        } catch {
            return (nil, "The stored Dice give no curve yet: \(error)")
        }
    }
}
