import Foundation

/// Tables of a learning-curve analysis: a Markdown summary in the shape of the paper's Table 3 and
/// a CSV of every round, both made only from a stored `LearningCurveAnalysis`.
public enum LearningCurveReport {
    /// Per strategy: the first round equivalent to the full-data model, its annotated cases and share
    /// of the training pool, that share relative to the baseline's, the round's Dice and TOST p, and
    /// the normalised area under the learning curve; a header states the full-data model and bounds.
    public static func markdown(_ analysis: LearningCurveAnalysis) -> String {
        let full = analysis.fullData
        var lines = [
            "Full-data model: mean Dice \(fixed(full.mean)) (SD \(fixed(full.standardDeviation)), n = \(full.count)).",
            "Equivalence bounds: ±\(fixed(analysis.bounds.high)) (2 × Δ, Δ = \(fixed(analysis.bounds.selfEquivalenceMargin))), "
                + "\(analysis.design.rawValue) TOST, α = \(format(analysis.bounds.alpha, "%g")).",
            "",
            "| Strategy | First equivalent round | Annotated cases | Share of training data | Relative to \(analysis.baseline) | Mean Dice (SD) | TOST p | Normalised AUC |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for strategy in analysis.strategies {
            let round = strategy.rounds.first { $0.round == strategy.firstEquivalentRound }
            var cells: [String] = [strategy.strategy]
            if let round {
                cells += ["\(round.round)", "\(round.annotatedCases)"]
            } else {
                cells += ["not reached", "–"]
            }
            cells.append(strategy.equivalentShare.map(percent) ?? "–")
            cells.append(strategy.shareRelativeToBaseline.map(percent) ?? "–")
            if let round {
                cells += ["\(fixed(round.dice.mean)) (\(fixed(round.dice.standardDeviation)))", pValue(round.tost.pValue)]
            } else {
                cells += ["–", "–"]
            }
            cells.append(strategy.normalisedArea.map(fixed) ?? "–")
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per strategy and round with every number of the analysis, full precision.
    public static func csv(_ analysis: LearningCurveAnalysis) -> String {
        var lines = ["strategy,round,annotated_cases,training_share,n,mean_dice,median_dice,sd_dice,se_dice,"
            + "mean_difference,t_lower,p_lower,t_upper,p_upper,df,p_tost,equivalent"]
        for strategy in analysis.strategies {
            for round in strategy.rounds {
                let numbers: [Double] = [
                    round.trainingShare, round.dice.mean, round.dice.median, round.dice.standardDeviation,
                    round.dice.standardError, round.tost.meanDifference, round.tost.lower.statistic,
                    round.tost.lower.pValue, round.tost.upper.statistic, round.tost.upper.pValue,
                    round.tost.lower.degreesOfFreedom, round.tost.pValue,
                ]
                var fields = [csvField(strategy.strategy), "\(round.round)", "\(round.annotatedCases)",
                              numbers[0].description, "\(round.dice.count)"]
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

    static func fixed(_ value: Double) -> String { format(value, "%.4f") }

    static func percent(_ value: Double) -> String { format(100 * value, "%.1f%%") }

    static func pValue(_ value: Double) -> String { value < 0.0001 ? "<0.0001" : format(value, "%.4f") }

    /// RFC 4180 quoting, for strategy names with commas or quotes.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
