import CommandLineTools
import Proto

/// `/comparisons`: the experiments that `activeseg experiment compare` ran together, side by side
/// as in the paper's Table 3: per strategy, how many repetitions reached equivalence, the share of
/// the training data they needed and that share relative to random query's, with their learning
/// curves in one figure.
///
/// A comparison is recognised as compare makes it: experiments on one dataset and profile whose
/// first seed is the same (repetition r of every strategy runs seeds[0] + r), at least two.
struct ComparisonsPage: Sendable {
    /// One comparison: what it groups, the orchestrator's `Compare` answer and the curves' figure.
    struct Comparison: Sendable {
        var key: Key
        var experiments: [ExperimentStatus]
        var outcomes: [StrategyOutcome]
        /// The learning-curve figure (SVG) of every experiment in it; nil while there is none.
        var curves: String?
        /// Why a part is missing (no full-data Dice yet, a refused comparison).
        var note: String?
    }

    /// What the experiments of one comparison share.
    struct Key: Hashable, Sendable, Comparable {
        var dataset: String
        var profile: String
        var seed: UInt64

        init(_ spec: ExperimentSpec) {
            dataset = spec.datasetID
            profile = "\(spec.profile)"
            seed = spec.seeds.first ?? 0
        }

        static func < (a: Key, b: Key) -> Bool { (a.dataset, a.profile, a.seed) < (b.dataset, b.profile, b.seed) }
    }

    var comparisons: [Comparison]

    /// The experiments grouped into comparisons; an experiment alone is no comparison.
    static func groups(_ experiments: [ExperimentStatus]) -> [(Key, [ExperimentStatus])] {
        Dictionary(grouping: experiments) { Key($0.spec) }
            .filter { $0.value.count > 1 }
            .sorted { $0.key < $1.key }
            .map { ($0.key, $0.value.sorted { $0.spec.seeds.count < $1.spec.seeds.count }) }
    }

    /// The content of `<main>`.
    var fragment: String {
        guard !comparisons.isEmpty else {
            return "<h1>Comparisons</h1>\n<p class=\"note\">No comparison is on record: "
                + "<code>activeseg experiment compare</code> runs one.</p>\n"
        }
        return "<h1>Comparisons</h1>\n" + comparisons.enumerated().map { Self.section($1, index: $0) }.joined()
    }

    private static func section(_ comparison: Comparison, index: Int) -> String {
        var out = "<section class=\"comparison\"><h2>Dataset \(HTML.escape(comparison.key.dataset)), "
        out += "profile \(HTML.escape(comparison.key.profile)), seed \(comparison.key.seed)</h2>\n"
        let names = Dictionary(
            comparison.experiments.map { ($0.experimentID, $0) }, uniquingKeysWith: { first, _ in first })
        let rows = comparison.outcomes.map { outcome -> [String] in
            let status = names[outcome.experimentID]
            let reached = outcome.equivalentRepetitions > 0
            return [
                "<a href=\"/experiments/\(HTML.escape(outcome.experimentID))\">"
                    + HTML.escape(ExperimentText.strategy(outcome.strategy, outcome.restriction)) + "</a>",
                status.map { HTML.escape(ExperimentText.state($0.state)) } ?? "—",
                "\(outcome.equivalentRepetitions) of \(outcome.repetitions)",
                reached ? HTML.percent(outcome.share) : "—",
                reached ? HTML.percent(outcome.shareOfBaseline) : "—",
            ]
        }
        out += HTML.table(
            id: "comparison-\(index)",
            headers: [
                "Strategy", "Status", "Equivalent repetitions", "Share of training data", "Relative to baseline",
            ],
            rows: rows)
        if let note = comparison.note { out += "<p class=\"note\">\(HTML.escape(note))</p>\n" }
        if let curves = comparison.curves { out += "<figure>\n\(curves)</figure>\n" }
        return out + "</section>\n"
    }
}
