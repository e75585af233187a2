import ArgumentParser
import Statistics

/// `activeseg stats tost`: two one-sided t-tests for the equivalence of two means, as the
/// learning-curve analysis runs them between a round and the full-data model.
struct TOSTCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "tost",
        abstract: "Two one-sided t-tests: is mean(a) − mean(b) inside (low, high)?",
        discussion: """
            Each file holds one number per line. Prints both one-sided tests (t, p), the degrees of \
            freedom, the TOST p-value (the larger of the two) and the (1 − 2α) interval of the mean \
            difference, which lies inside the bounds exactly when the samples are equivalent at --alpha.
            """)

    /// The design flag; the names are the ones the Statistics library uses.
    enum Design: String, EnumerableFlag {
        case paired, pooled, welch

        var statistics: TOSTDesign {
            switch self {
            case .paired: .paired
            case .pooled: .pooled
            case .welch: .welch
            }
        }

        static func help(for value: Design) -> ArgumentHelp? {
            switch value {
            case .paired: "The same cases in both files, line by line (default)."
            case .pooled: "Independent samples, pooled variance (Student)."
            case .welch: "Independent samples, separate variances (Welch)."
            }
        }
    }

    /// The `--json` document.
    struct Report: Codable, Equatable {
        var design: String
        var countA: Int
        var countB: Int
        var low: Double
        var high: Double
        var meanDifference: Double
        /// The (1 − 2α) interval of the mean difference.
        var differenceInterval: ConfidenceInterval
        var lower: OneSidedTTest
        var upper: OneSidedTTest
        var degreesOfFreedom: Double
        var pValue: Double
        var alpha: Double
        var equivalent: Bool
    }

    @Option(name: .customLong("a"), help: "File of the first sample.")
    var fileA: String

    @Option(name: .customLong("b"), help: "File of the second sample.")
    var fileB: String

    @Option(
        parsing: .unconditional, help: "Lower equivalence bound on mean(a) − mean(b) (may be negative: --low -0.05).")
    var low: Double

    @Option(parsing: .unconditional, help: "Upper equivalence bound on mean(a) − mean(b).")
    var high: Double

    @Flag(help: "How the two samples relate.")
    var design: Design = .paired

    @Option(help: "Level at which equivalence is declared.")
    var alpha: Double = 0.05

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard low.isFinite, high.isFinite, low < high else {
            throw ValidationError("--low (\(low)) must be below --high (\(high))")
        }
        guard alpha > 0, alpha < 0.5 else { throw ValidationError("--alpha must be in (0, 0.5), got \(alpha)") }
    }

    func run(in context: CommandContext) async throws {
        let a = try SampleFile.read(context.url(for: fileA), option: "--a")
        let b = try SampleFile.read(context.url(for: fileB), option: "--b")
        let result = try tost(a, b, low: low, high: high, design: design.statistics)
        let report = Report(
            design: design.rawValue, countA: a.count, countB: b.count, low: low, high: high,
            meanDifference: result.meanDifference, differenceInterval: try result.differenceInterval(alpha: alpha),
            lower: result.lower, upper: result.upper,
            degreesOfFreedom: result.lower.degreesOfFreedom, pValue: result.pValue, alpha: alpha,
            equivalent: result.isEquivalent(alpha: alpha))
        context.output.write(json ? try JSONOutput.encode(report) : Self.text(report))
    }

    static func text(_ report: Report) -> String {
        let n = TextFormat.number
        let samples = report.design == "paired" ? "\(report.countA) pairs" : "n = \(report.countA) and \(report.countB)"
        let verdict = report.equivalent ? "equivalent" : "not shown equivalent"
        let lines = TextFormat.fields([
            ("design", "\(report.design), \(samples)"),
            ("bounds", "(\(n(report.low)), \(n(report.high))) on mean(a) − mean(b)"),
            ("mean difference", n(report.meanDifference)),
            (
                "interval",
                "[\(n(report.differenceInterval.lower)), \(n(report.differenceInterval.upper))]  "
                    + "(\(n(100 * report.differenceInterval.level))%: inside the bounds exactly when equivalent)"
            ),
            (
                "lower test",
                "t = \(n(report.lower.statistic)), p = \(n(report.lower.pValue))  (H0: difference ≤ \(n(report.low)))"
            ),
            (
                "upper test",
                "t = \(n(report.upper.statistic)), p = \(n(report.upper.pValue))  (H0: difference ≥ \(n(report.high)))"
            ),
            ("df", n(report.degreesOfFreedom)),
            ("TOST p", "\(n(report.pValue))  (\(verdict) at α = \(n(report.alpha)))"),
        ])
        return lines.joined(separator: "\n") + "\n"
    }
}
