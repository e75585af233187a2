import Domain
import Foundation
import Proto
import SwiftProtobuf

/// How experiments read on a terminal and in `--json`, and on the dashboard's pages.
public enum ExperimentText {
    static func json(_ message: some SwiftProtobuf.Message) throws -> String {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        return try message.jsonString(options: options) + "\n"
    }

    /// The strategy as ``StrategyName`` spells it; the wire name for one the product does not run.
    public static func strategy(_ method: UncertaintyMethod, _ restriction: Restriction) -> String {
        StrategyName(method, restriction)?.description ?? "\(method)+\(restriction)"
    }

    public static func state(_ state: ExperimentState) -> String {
        switch state {
        case .created: "created"
        case .running: "running"
        case .awaitingLabels: "awaiting labels"
        case .finished: "finished"
        case .cancelled: "cancelled"
        case .failed: "failed"
        case .unspecified, .UNRECOGNIZED: "unknown"
        }
    }

    public static func phase(_ phase: Proto.RoundPhase) -> String {
        switch phase {
        case .training: "training"
        case .evaluating: "evaluating"
        case .testing: "testing"
        case .scoring: "scoring"
        case .selecting: "selecting"
        case .annotating: "annotating"
        case .done: "done"
        case .unspecified, .UNRECOGNIZED: "-"
        }
    }

    public static func isTerminal(_ state: ExperimentState) -> Bool {
        state == .finished || state == .cancelled || state == .failed
    }

    /// Share of the training pool annotated so far.
    public static func labelShare(_ status: ExperimentStatus) -> Double {
        dataShare(annotated: Int(status.annotatedCases), of: Int(status.annotatedCases + status.poolCases))
    }

    public static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    /// One line: what, where, how far.
    static func line(_ status: ExperimentStatus) -> String {
        var text =
            "\(status.experimentID)  \(strategy(status.spec.strategy, status.spec.restriction))  \(state(status.state))  "
            + "round \(status.round)/\(status.spec.stop.maxRounds) \(phase(status.phase))  "
            + "annotated \(status.annotatedCases) (\(percent(labelShare(status))))"
        if status.hasFirstEquivalentRound { text += "  equivalent at round \(status.firstEquivalentRound)" }
        if status.state == .failed { text += "  reason: \(status.failureReason)" }
        return text
    }

    /// The full status of one experiment.
    static func detail(_ status: ExperimentStatus) -> String {
        let spec = status.spec
        var lines = [
            "experiment  \(status.experimentID)  (\(spec.name))",
            "dataset     \(spec.datasetID)",
            "strategy    \(strategy(spec.strategy, spec.restriction))",
            "profile     \(spec.profile)  seeds \(spec.seeds.map(String.init).joined(separator: ","))",
            "sizes       initial \(spec.initialCases), K \(spec.topK), k \(spec.pick), rounds \(spec.stop.maxRounds)",
            "state       \(state(status.state))",
            "progress    repetition \(status.repetition + 1), round \(status.round), \(phase(status.phase))",
            "annotated   \(status.annotatedCases) (\(percent(labelShare(status)))), pool \(status.poolCases)",
        ]
        if status.hasFirstEquivalentRound { lines.append("equivalent  from round \(status.firstEquivalentRound)") }
        if status.state == .failed { lines.append("failure     \(status.failureReason)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
