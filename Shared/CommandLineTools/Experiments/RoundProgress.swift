import Domain
import Foundation
import Proto
import Reporting
import Statistics

/// The rounds of a running comparison as they finish, each against the full-data model: its mean
/// Dice difference with the (1 − 2α) interval beside the margin, so a reader sees why a round is or
/// is not equivalent (`LearningCurveReport.roundLine`), and once where the margin comes from.
///
/// Made from the stored per-case Dice with the Statistics library, as `activeseg report` is, and
/// with the experiment's own t-test, so each line agrees with the orchestrator's verdict.
public struct RoundProgress {
    /// Rounds already shown, by experiment id.
    private var shown: [String: Int] = [:]
    private var marginExplained = false
    /// Set after the first failed read: the progress goes on with the status lines alone.
    private var unavailable = false

    /// Lines for the rounds of `run` finished since the last call; none while the full-data model
    /// has no Dice, and one line saying why when the stored Dice cannot be read.
    mutating func newRounds(of run: ExperimentCompareCommand.Run, client: ServiceClient) async -> [String] {
        guard !unavailable, let id = ExperimentID(wireForm: run.id) else { return [] }
        let analysis: LearningCurveAnalysis
        do {
            guard
                let read = try await StoredEvaluations.read([id], client: client)
                    .analysis(design: Self.design(run.spec.test))
            else { return [] }
            analysis = read
        } catch {
            unavailable = true
            return ["round details unavailable, status lines only: \(error)"]
        }
        var lines: [String] = []
        if !marginExplained {
            marginExplained = true
            lines.append(LearningCurveReport.marginExplanation(analysis))
        }
        let rounds = analysis.strategies.flatMap(\.rounds).filter { $0.round >= shown[run.id, default: 0] }
        for round in rounds {
            lines.append("\(run.id)  \(run.strategy)  " + LearningCurveReport.roundLine(round, bounds: analysis.bounds))
        }
        if let last = rounds.last { shown[run.id] = last.round + 1 }
        return lines
    }

    /// The design the orchestrator tests with: the spec's, paired when unset.
    public static func design(_ test: TTest) -> TOSTDesign {
        switch test {
        case .pooled: .pooled
        case .welch: .welch
        case .paired, .unspecified, .UNRECOGNIZED: .paired
        }
    }
}
