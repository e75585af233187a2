import Bus
import Foundation
import Proto

/// The JetStream stream that keeps every event (`activeseg.v1.events.>`), and publishing into it.
///
/// Limits retention: events stay for `maxAge` whether or not anyone read them, so a dashboard can
/// subscribe live or replay an experiment or an import from the start. Each event's `ce-id` is
/// also its `Nats-Msg-Id`, so a publisher that repeats an event with the same id (a retried or
/// repeated import) stores it once within `duplicateWindow`.
///
/// The stream is `ACTIVESEG_EVENTS`; under a subject prefix (`ACTIVESEG_SUBJECT_PREFIX`) it is
/// `ACTIVESEG_EVENTS_<PREFIX>` capturing `<prefix>.activeseg.v1.events.>`, so deployments sharing
/// one NATS server keep separate streams.
public struct EventStream: Sendable {
    public static let baseName = "ACTIVESEG_EVENTS"
    public static let maxAge: Duration = .seconds(30 * 24 * 3600)
    public static let duplicateWindow: Duration = .seconds(3600)

    public let jetStream: JetStream
    public let subjectPrefix: String

    public init(jetStream: JetStream, subjectPrefix: String) {
        self.jetStream = jetStream
        self.subjectPrefix = subjectPrefix
    }

    /// The stream's name for this deployment.
    public var name: String {
        subjectPrefix.isEmpty
            ? Self.baseName
            : Self.baseName + "_" + subjectPrefix.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// What the stream captures: every event subject of this deployment.
    public var subjects: String { RPCWire.subject(EventSubject.all, prefix: subjectPrefix) }

    public var configuration: StreamConfiguration {
        StreamConfiguration(
            name: name, subjects: [subjects], retention: .limits, storage: .file,
            maxAge: Self.maxAge, duplicateWindow: Self.duplicateWindow, replicas: jetStream.streamReplicas)
    }

    /// Creates the stream, or brings an existing one to this configuration.
    public func ensure() async throws {
        try await jetStream.ensureStream(configuration)
    }

    /// The subject `Event` is published to in `scope` (a dataset or experiment id) for this deployment.
    public func subject<Event: BusEvent>(for event: Event.Type, scope: String) throws -> String {
        RPCWire.subject(try EventSubject.subject(for: event, scope: scope), prefix: subjectPrefix)
    }

    /// Stores `body` as a CloudEvents event of type `activeseg.v1.<kind>`; `id` identifies the event
    /// (a repeat with the same id is stored once). Returns whether the stream had it already.
    @discardableResult
    public func publish<Event: BusEvent>(
        _ body: Event, scope: String, id: String, source: String,
        time: Date = Date()
    ) async throws -> PublishAck {
        let envelope = EventEnvelope(
            type: "activeseg.v1.\(Event.kind.rawValue)", source: source, id: id, time: time,
            body: body)
        return try await jetStream.publish(envelope, to: subject(for: Event.self, scope: scope))
    }
}
