import Bus
import Foundation
import Proto

/// One experiment event from the `ACTIVESEG_EVENTS` stream, decoded for the pages: its stream
/// sequence (the server-sent event id), the experiment it belongs to, when it happened and its body.
struct DashboardEvent: Sendable {
    enum Body: Sendable {
        case roundStarted(RoundStarted)
        case phaseChanged(PhaseChanged)
        case training(TrainProgress)
        case roundFinished(RoundFinished)
        case experimentFinished(ExperimentFinished)
    }

    var sequence: UInt64
    var experimentID: String
    var time: Date
    var body: Body

    init(sequence: UInt64, experimentID: String, time: Date, body: Body) {
        self.sequence = sequence
        self.experimentID = experimentID
        self.time = time
        self.body = body
    }

    /// Decodes a stored event by the type its `ce-type` names; nil for the kinds no page shows
    /// (an import's case events) and for a type this build does not know.
    init?(_ message: JetStreamMessage) throws {
        let type = message.headers["ce-type"] ?? ""
        guard type.hasPrefix("activeseg.v1."), let kind = EventKind(rawValue: String(type.dropFirst(13))) else {
            return nil
        }
        let decoded: (String, Date, Body)
        switch kind {
        case .roundStarted:
            decoded = try Self.decode(message) { (.roundStarted($0), $0.experimentID) }
        case .phaseChanged:
            decoded = try Self.decode(message) { (.phaseChanged($0), $0.experimentID) }
        case .trainingProgress:
            decoded = try Self.decode(message) { (.training($0), $0.experimentID) }
        case .roundFinished:
            decoded = try Self.decode(message) { (.roundFinished($0), $0.experimentID) }
        case .experimentFinished:
            decoded = try Self.decode(message) { (.experimentFinished($0), $0.experimentID) }
        case .caseIngested, .caseFailed:
            return nil
        }
        // The full-data model's training progress has no experiment; no page follows it.
        guard !decoded.0.isEmpty else { return nil }
        self.init(sequence: message.streamSequence, experimentID: decoded.0, time: decoded.1, body: decoded.2)
    }

    private static func decode<Event: BusEvent>(
        _ message: JetStreamMessage, _ wrap: (Event) -> (Body, String)
    ) throws -> (String, Date, Body) {
        let envelope = try EventEnvelope<Event>(decoding: message)
        let (body, experiment) = wrap(envelope.body)
        return (experiment, envelope.time, body)
    }

    /// The CloudEvents kind, e.g. `round.finished`.
    var kind: EventKind {
        switch body {
        case .roundStarted: .roundStarted
        case .phaseChanged: .phaseChanged
        case .training: .trainingProgress
        case .roundFinished: .roundFinished
        case .experimentFinished: .experimentFinished
        }
    }

    /// The server-sent form: the page needs only to know that something changed and where.
    var serverSent: ServerSentEvent {
        ServerSentEvent(
            id: sequence, event: nil,
            data: "{\"kind\":\"\(kind.rawValue)\",\"experiment\":\"\(experimentID)\"}")
    }
}
