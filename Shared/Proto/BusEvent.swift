import SwiftProtobuf

/// A message published as an event; its kind fixes the last part of its subject.
public protocol BusEvent: SwiftProtobuf.Message {
    static var kind: EventKind { get }
}

extension RoundStarted: BusEvent {
    public static var kind: EventKind { .roundStarted }
}

extension PhaseChanged: BusEvent {
    public static var kind: EventKind { .phaseChanged }
}

extension TrainProgress: BusEvent {
    public static var kind: EventKind { .trainingProgress }
}

extension RoundFinished: BusEvent {
    public static var kind: EventKind { .roundFinished }
}

extension ExperimentFinished: BusEvent {
    public static var kind: EventKind { .experimentFinished }
}

extension CaseIngested: BusEvent {
    public static var kind: EventKind { .caseIngested }
}

extension CaseFailed: BusEvent {
    public static var kind: EventKind { .caseFailed }
}
