import Foundation
import Statistics

/// The learning-curve figure as SVG: mean test Dice against the percentage of the training pool
/// annotated, one polyline (`<path>`) per strategy, and the full-data model's mean as a dashed
/// horizontal line. A strategy run once has standard-error bars over the test cases at each round; a
/// strategy run several times is drawn as the mean over its repetitions with a band of the 95%
/// interval of that mean, the spread a rerun would show. Drawn only from a stored
/// `LearningCurveAnalysis`.
public enum LearningCurvePlot {
    /// Colour-blind-safe series colours (Okabe and Ito), reused cyclically.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

    /// - Parameter marginBand: also shade the equivalence margin around the full-data mean (the
    ///   bounds a round's mean Dice difference must stay within), clipped to the axes, for a
    ///   reader following one experiment against the margin.
    public static func svg(
        _ analysis: LearningCurveAnalysis, width: Double = 720, height: Double = 440, marginBand: Bool = false
    ) -> String {
        let frame = Frame(analysis, width: width, height: height)
        var out: [String] = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
                + "viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"white\"/>",
        ]
        out += frame.axes()
        if marginBand {
            let clip = { (dice: Double) in frame.y(min(max(dice, frame.yMin), frame.yMax)) }
            let (upper, lower) = (
                clip(analysis.fullData.mean + analysis.bounds.high), clip(analysis.fullData.mean + analysis.bounds.low)
            )
            out.append(
                "<rect class=\"equivalence-margin\" x=\"\(n(frame.left))\" y=\"\(n(upper))\" "
                    + "width=\"\(n(frame.right - frame.left))\" height=\"\(n(lower - upper))\" "
                    + "fill=\"#444444\" fill-opacity=\"0.12\"><title>equivalence margin</title></rect>")
        }
        let fullY = frame.y(analysis.fullData.mean)
        out.append(
            "<line class=\"full-data\" x1=\"\(n(frame.left))\" y1=\"\(n(fullY))\" x2=\"\(n(frame.right))\" "
                + "y2=\"\(n(fullY))\" stroke=\"#444444\" stroke-dasharray=\"6 4\"/>")
        out.append("<text x=\"\(n(frame.right - 4))\" y=\"\(n(fullY - 6))\" text-anchor=\"end\">full data</text>")
        for (index, summary) in analysis.summaries.enumerated() {
            let colour = palette[index % palette.count]
            let name = escape(summary.strategy)
            out.append("<g class=\"strategy\" data-strategy=\"\(name)\" stroke=\"\(colour)\" fill=\"\(colour)\">")
            let points: [(Double, Double)]
            if summary.repetitions == 1,
                let single = analysis.strategies.first(where: { $0.strategy == summary.strategy })
            {
                points = single.rounds.map { (frame.x($0.trainingShare), frame.y($0.dice.mean)) }
                out += errorBars(single.rounds, frame: frame)
            } else {
                points = summary.curve.map { (frame.x($0.trainingShare), frame.y($0.meanDice.mean)) }
                out.append(band(summary.curve, frame: frame))
            }
            let d = points.enumerated().map { "\($0 == 0 ? "M" : "L")\(n($1.0)) \(n($1.1))" }.joined(separator: " ")
            out.append("<path d=\"\(d)\" fill=\"none\" stroke-width=\"2\"/>")
            for (x, y) in points {
                out.append("<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"3\"/>")
            }
            let legendY = frame.top + 16 + Double(index) * 18
            out.append(
                "<line x1=\"\(n(frame.left + 12))\" y1=\"\(n(legendY - 4))\" x2=\"\(n(frame.left + 32))\" "
                    + "y2=\"\(n(legendY - 4))\" stroke-width=\"2\"/>")
            let label = summary.repetitions == 1 ? name : "\(name) (\(summary.repetitions) repetitions, 95% interval)"
            out.append(
                "<text x=\"\(n(frame.left + 38))\" y=\"\(n(legendY))\" stroke=\"none\" fill=\"black\">\(label)</text>")
            out.append("</g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// A single repetition's spread: the standard error of its mean Dice over the test cases, as
    /// a bar at each round with a finite one.
    static func errorBars(_ rounds: [RoundAnalysis], frame: Frame) -> [String] {
        rounds.filter(\.dice.standardError.isFinite).flatMap { round -> [String] in
            let x = frame.x(round.trainingShare)
            let low = frame.y(round.dice.mean - round.dice.standardError)
            let high = frame.y(round.dice.mean + round.dice.standardError)
            return [
                "<line x1=\"\(n(x))\" y1=\"\(n(low))\" x2=\"\(n(x))\" y2=\"\(n(high))\"/>",
                "<line x1=\"\(n(x - 3))\" y1=\"\(n(low))\" x2=\"\(n(x + 3))\" y2=\"\(n(low))\"/>",
                "<line x1=\"\(n(x - 3))\" y1=\"\(n(high))\" x2=\"\(n(x + 3))\" y2=\"\(n(high))\"/>",
            ]
        }
    }

    /// Repetitions' spread: the 95% interval of the mean Dice across repetitions at each round, as
    /// one closed translucent area (upper edge left to right, lower edge back); a round only one
    /// repetition reached narrows it to its mean. Clipped to the axes: an interval of Dice can
    /// reach past 0 or 1.
    static func band(_ curve: [StrategySummary.CurvePoint], frame: Frame) -> String {
        func y(_ dice: Double) -> Double { frame.y(min(max(dice, frame.yMin), frame.yMax)) }
        let upper = curve.map { (frame.x($0.trainingShare), y($0.meanDice.interval?.upper ?? $0.meanDice.mean)) }
        let lower = curve.reversed().map {
            (frame.x($0.trainingShare), y($0.meanDice.interval?.lower ?? $0.meanDice.mean))
        }
        let d = (upper + lower).enumerated().map { "\($0 == 0 ? "M" : "L")\(n($1.0)) \(n($1.1))" }.joined(
            separator: " ")
        return "<path class=\"band\" d=\"\(d) Z\" stroke=\"none\" fill-opacity=\"0.2\"/>"
    }

    /// The plotting area and the data-to-pixel mapping.
    struct Frame {
        let left = 64.0, top = 20.0
        let right: Double, bottom: Double
        let xMax: Double
        let yMin: Double, yMax: Double

        init(_ analysis: LearningCurveAnalysis, width: Double, height: Double) {
            right = width - 20
            bottom = height - 52
            let rounds = analysis.strategies.flatMap(\.rounds)
            let largestShare = rounds.map(\.trainingShare).max() ?? 1
            xMax = max(10, (largestShare * 10).rounded(.up) * 10)
            var values = [analysis.fullData.mean]
            for round in rounds {
                let se = round.dice.standardError.isFinite ? round.dice.standardError : 0
                values += [round.dice.mean - se, round.dice.mean + se]
            }
            for point in analysis.summaries.flatMap(\.curve) {
                values += [point.meanDice.interval?.lower, point.meanDice.interval?.upper].compactMap { $0 }
            }
            yMin = max(0, ((values.min() ?? 0) * 10).rounded(.down) / 10)
            yMax = min(1, ((values.max() ?? 1) * 10).rounded(.up) / 10)
        }

        func x(_ share: Double) -> Double { left + 100 * share / xMax * (right - left) }

        func y(_ dice: Double) -> Double {
            let span = yMax > yMin ? yMax - yMin : 1
            return bottom - (dice - yMin) / span * (bottom - top)
        }

        func axes() -> [String] {
            var out = [
                "<line x1=\"\(n(left))\" y1=\"\(n(bottom))\" x2=\"\(n(right))\" y2=\"\(n(bottom))\" stroke=\"black\"/>",
                "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(bottom))\" stroke=\"black\"/>",
                "<text x=\"\(n((left + right) / 2))\" y=\"\(n(bottom + 40))\" text-anchor=\"middle\">Training data annotated (%)</text>",
                "<text transform=\"translate(16 \(n((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">Mean Dice</text>",
            ]
            for tick in stride(from: 0.0, through: xMax, by: xMax > 50 ? 20 : 10) {
                let px = x(tick / 100)
                out.append(
                    "<line x1=\"\(n(px))\" y1=\"\(n(bottom))\" x2=\"\(n(px))\" y2=\"\(n(bottom + 5))\" stroke=\"black\"/>"
                )
                out.append("<text x=\"\(n(px))\" y=\"\(n(bottom + 18))\" text-anchor=\"middle\">\(n(tick))</text>")
            }
            for tick in stride(from: yMin, through: yMax + 1e-9, by: 0.1) {
                let py = y(tick)
                out.append(
                    "<line x1=\"\(n(left - 5))\" y1=\"\(n(py))\" x2=\"\(n(left))\" y2=\"\(n(py))\" stroke=\"black\"/>")
                out.append(
                    "<text x=\"\(n(left - 8))\" y=\"\(n(py + 4))\" text-anchor=\"end\">\(String(format: "%.1f", tick))</text>"
                )
            }
            return out
        }
    }

    /// Coordinates with two decimals, enough for a figure and stable for comparisons.
    static func n(_ value: Double) -> String {
        let text = String(format: "%.2f", value)
        return text.hasSuffix(".00") ? String(text.dropLast(3)) : text
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
