import Foundation
import Statistics

/// Tables of a learning-curve analysis: a Markdown summary in the shape of the paper's Table 3 and
/// a CSV of every round, both made only from a stored `LearningCurveAnalysis`.
public enum LearningCurveReport {
    /// The full-data model and the bounds, what the margin means, and per strategy across its
    /// repetitions: how many reached equivalence, their first equivalent rounds and annotated cases,
    /// the share of the training pool (mean and 95% interval across repetitions), that share
    /// relative to the baseline's and the normalised area under the budget curve; then every round's
    /// mean Dice difference with its (1 − 2α) interval against the bounds.
    /// `fullDataMembers` says of how many models, differing only in their seed, the full-data
    /// model is the probability ensemble, so a reader knows the yardstick is not one seed's draw.
    public static func markdown(_ analysis: LearningCurveAnalysis, fullDataMembers: Int = 1) -> String {
        let full = analysis.fullData
        let repeated = analysis.summaries.contains { $0.repetitions > 1 }
        let ensemble =
            fullDataMembers > 1
            ? ", the mean probability map of \(fullDataMembers) models that differ only in their seed" : ""
        var lines = [
            "Full-data model: mean Dice \(fixed(full.mean)) (SD \(fixed(full.standardDeviation)), n = \(full.count))\(ensemble).",
            "Equivalence bounds: ±\(fixed(analysis.bounds.high)) (2 × Δ, Δ = \(fixed(analysis.bounds.selfEquivalenceMargin))), "
                + "\(analysis.design.rawValue) TOST, α = \(format(analysis.bounds.alpha, "%g")).",
            marginExplanation(analysis),
            repeated
                ? "Shares and areas: mean [95% t-interval of the mean] across a strategy's repetitions (a single value "
                    + "where it has one); the share is over the repetitions that reached equivalence (Reached)."
                : "One repetition per strategy: single values, no interval across repetitions.",
            "",
            "| Strategy | Reached | First equivalent round | Annotated cases | Share of training data | Relative to \(analysis.baseline) | Normalised AUBC |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for summary in analysis.summaries {
            let repetitions = analysis.strategies.filter { $0.strategy == summary.strategy }
                .sorted { $0.repetition < $1.repetition }
            let firsts = repetitions.map { strategy in
                strategy.rounds.first { $0.round == strategy.firstEquivalentRound }
            }
            let rounds: [String] = firsts.map { first in first.map { "\($0.round)" } ?? "–" }
            let annotated: [String] = firsts.map { first in first.map { "\($0.annotatedCases)" } ?? "–" }
            let reached = summary.equivalentRepetitions > 0
            let cells: [String] = [
                summary.strategy,
                "\(summary.equivalentRepetitions)/\(summary.repetitions)",
                reached ? rounds.joined(separator: ", ") : "not reached",
                reached ? annotated.joined(separator: ", ") : "–",
                summary.equivalentShare.map { outcome(percent, $0) } ?? "–",
                summary.shareRelativeToBaseline.map(percent) ?? "–",
                summary.normalisedArea.map { outcome(fixed, $0) } ?? "–",
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        lines += [
            "",
            "Rounds: mean Dice difference to the full-data model with its "
                + "\(format(100 * (1 - 2 * analysis.bounds.alpha), "%g"))% interval, against the bounds.", "",
        ]
        for strategy in analysis.strategies {
            let name = repeated ? "\(strategy.strategy) repetition \(strategy.repetition + 1)" : strategy.strategy
            for round in strategy.rounds {
                lines.append("- \(name) " + roundLine(round, bounds: analysis.bounds))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One round as a reader needs it to see why it is or is not equivalent, e.g.
    /// `round 1: 16 cases (33.3%), mean Dice 0.612, difference −0.031 [−0.072, +0.010] within ±0.120: equivalent (p 0.0123)`.
    public static func roundLine(_ round: RoundAnalysis, bounds: EquivalenceBounds) -> String {
        let interval = round.differenceInterval
        let verdict =
            round.isEquivalent
            ? "within ±\(short(bounds.high)): equivalent" : "not within ±\(short(bounds.high)): not equivalent"
        return "round \(round.round): \(round.annotatedCases) cases (\(percent(round.trainingShare))), "
            + "mean Dice \(short(round.dice.mean)), difference \(signed(round.tost.meanDifference)) "
            + "[\(signed(interval.lower)), \(signed(interval.upper))] \(verdict) (p \(pValue(round.tost.pValue)))"
    }

    /// Where the margin comes from, in one line: Δ = t(1 − α, 2n − 2) · SD · √(2/n) over the n test
    /// cases of the full-data model, doubled (see `EquivalenceBounds`).
    public static func marginExplanation(_ analysis: LearningCurveAnalysis) -> String {
        let bounds = analysis.bounds, full = analysis.fullData
        let level = format(100 * (1 - 2 * bounds.alpha), "%g")
        return
            "Margin ±\(short(bounds.high)) = 2 × Δ: Δ = \(short(bounds.selfEquivalenceMargin)) = t(\(format(1 - bounds.alpha, "%g")), "
            + "df \(2 * full.count - 2)) × SD \(short(full.standardDeviation)) × √(2/\(full.count)) is the widest gap at which "
            + "the full-data model's Dice over its \(full.count) test cases is equivalent to itself; a round is equivalent "
            + "when the \(level)% interval of its mean Dice difference lies within the margin."
            + halvedMarginCases(analysis)
    }

    /// What a narrower margin would cost, by the test-split size rule: the test cases that half the
    /// margin takes at the full-data model's spread; empty where the rule has no answer.
    static func halvedMarginCases(_ analysis: LearningCurveAnalysis) -> String {
        let half = analysis.bounds.high / 2
        guard
            let cases = try? EquivalenceBounds.testCases(
                forMargin: half, standardDeviation: analysis.fullData.standardDeviation,
                alpha: analysis.bounds.alpha)
        else { return "" }
        return " At this SD a margin of ±\(short(half)) would take \(cases) test cases."
    }

    /// One row per strategy, repetition (from 1) and round with every number of the analysis, full
    /// precision; the interval is the (1 − 2α) one of the mean difference.
    public static func csv(_ analysis: LearningCurveAnalysis) -> String {
        var lines = [
            "strategy,repetition,round,annotated_cases,training_share,n,mean_dice,median_dice,sd_dice,se_dice,"
                + "mean_difference,difference_ci_low,difference_ci_high,ci_level,t_lower,p_lower,t_upper,p_upper,df,p_tost,"
                + "equivalent"
        ]
        for strategy in analysis.strategies {
            for round in strategy.rounds {
                let numbers: [Double] = [
                    round.trainingShare, round.dice.mean, round.dice.median, round.dice.standardDeviation,
                    round.dice.standardError, round.tost.meanDifference, round.differenceInterval.lower,
                    round.differenceInterval.upper, round.differenceInterval.level, round.tost.lower.statistic,
                    round.tost.lower.pValue, round.tost.upper.statistic, round.tost.upper.pValue,
                    round.tost.lower.degreesOfFreedom, round.tost.pValue,
                ]
                var fields = [
                    csvField(strategy.strategy), "\(strategy.repetition + 1)", "\(round.round)",
                    "\(round.annotatedCases)", numbers[0].description, "\(round.dice.count)",
                ]
                fields += numbers.dropFirst().map(\.description)
                fields.append(round.isEquivalent ? "true" : "false")
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ value: Double, _ format: String) -> String {
        String(format: format, value)
    }

    /// Four decimals, as the tables show Dice and areas.
    public static func fixed(_ value: Double) -> String { format(value, "%.4f") }

    /// A share as a percentage with one decimal.
    public static func percent(_ value: Double) -> String { format(100 * value, "%.1f%%") }

    static func pValue(_ value: Double) -> String { value < 0.0001 ? "<0.0001" : format(value, "%.4f") }

    /// Three decimals, the precision at which Dice differences are read.
    static func short(_ value: Double) -> String { format(value, "%.3f") }

    /// Three decimals with the sign always shown, and a typographic minus.
    static func signed(_ value: Double) -> String {
        format(value, "%+.3f").replacingOccurrences(of: "-", with: "−")
    }

    /// A repeated outcome as "mean [lower, upper]", or the single value of one repetition.
    public static func outcome(_ text: (Double) -> String, _ outcome: RepeatedOutcome) -> String {
        guard let interval = outcome.interval else { return text(outcome.mean) }
        return "\(text(outcome.mean)) [\(text(interval.lower)), \(text(interval.upper))]"
    }

    /// RFC 4180 quoting, for strategy names with commas or quotes.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
