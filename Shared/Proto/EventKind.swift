import SwiftProtobuf

/// What an event on `activeseg.v1.events.<scope>.<kind>` reports; the raw value is the subject's
/// `<kind>` part. Kinds have two tokens (subject, then what happened to it), so a subscriber can
/// take all round events of every experiment with `activeseg.v1.events.*.round.>`.
///
/// Each kind carries exactly one message type (`messageType`), and each event message names its
/// kind (`BusEvent.kind`), so publisher and subscriber cannot disagree on what a subject holds.
public enum EventKind: String, CaseIterable, Sendable {
    /// `RoundStarted`
    case roundStarted = "round.started"
    /// `PhaseChanged`
    case phaseChanged = "round.phase"
    /// `TrainProgress`, published by the trainer while it trains a round's model.
    case trainingProgress = "round.training"
    /// `RoundFinished`, with the round's Dice summary, data share and TOST p-value.
    case roundFinished = "round.finished"
    /// `ExperimentFinished`, with the first equivalent round and share of each repetition.
    case experimentFinished = "experiment.finished"
    /// `CaseIngested`; its scope is the dataset the case joined.
    case caseIngested = "case.ingested"
    /// `CaseFailed`; its scope is the dataset the case was meant for.
    case caseFailed = "case.failed"

    /// The message type an event of this kind carries.
    public var messageType: any BusEvent.Type {
        switch self {
        case .roundStarted: RoundStarted.self
        case .phaseChanged: PhaseChanged.self
        case .trainingProgress: TrainProgress.self
        case .roundFinished: RoundFinished.self
        case .experimentFinished: ExperimentFinished.self
        case .caseIngested: CaseIngested.self
        case .caseFailed: CaseFailed.self
        }
    }
}
