import CommandLineTools
import Proto

/// `/`: every experiment on record, newest first, with where it stands: strategy, state, round and
/// phase, the share of its training pool annotated, the latest round's mean Dice and whether it
/// has reached equivalence with the full-data model.
struct ExperimentsPage: Sendable {
    /// One experiment: its status (the orchestrator's) and its latest finished round (its events').
    struct Row: Sendable {
        var status: ExperimentStatus
        var latest: RoundFinished?
    }

    var rows: [Row]

    /// The content of `<main>`.
    var fragment: String {
        guard !rows.isEmpty else {
            return "<h1>Experiments</h1>\n<p class=\"note\">No experiment is on record yet.</p>\n"
        }
        return "<h1>Experiments</h1>\n"
            + HTML.table(
                id: "experiments",
                headers: [
                    "Experiment", "Strategy", "Status", "Round", "Phase", "Annotated", "Latest mean Dice",
                    "Equivalence",
                ],
                rows: rows.map(Self.cells))
    }

    private static func cells(_ row: Row) -> [String] {
        let status = row.status
        let name = status.spec.name.isEmpty ? status.experimentID : status.spec.name
        return [
            "<a href=\"/experiments/\(HTML.escape(status.experimentID))\">\(HTML.escape(name))</a>",
            HTML.escape(ExperimentText.strategy(status.spec.strategy, status.spec.restriction)),
            HTML.escape(ExperimentText.state(status.state))
                + (status.failureReason.isEmpty ? "" : ": " + HTML.escape(status.failureReason)),
            "<span class=\"number\">\(status.round)</span>",
            HTML.escape(ExperimentText.phase(status.phase)),
            "\(status.annotatedCases) (\(HTML.percent(ExperimentText.labelShare(status))))",
            row.latest.map { HTML.fixed($0.dice.mean) } ?? "—",
            equivalence(status, latest: row.latest),
        ]
    }

    /// `equivalent at round r`, or the latest round's p while none is, or `—` before any round.
    static func equivalence(_ status: ExperimentStatus, latest: RoundFinished?) -> String {
        if status.hasFirstEquivalentRound {
            return "<span class=\"equivalent\">equivalent at round \(status.firstEquivalentRound)</span>"
        }
        guard let latest else { return "—" }
        guard latest.hasTostP else { return "no full-data model" }
        return "<span class=\"not-equivalent\">not yet (p \(HTML.pValue(latest.tostP)))</span>"
    }
}
