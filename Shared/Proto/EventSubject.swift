/// Builds the subjects of events: `activeseg.v1.events.<scope>.<kind>`.
///
/// The scope is the experiment id for round and experiment events, and the dataset id for case
/// events (ingest belongs to no experiment). It must be one NATS token: a `.` would shift the kind
/// into another position and `*` or `>` would turn a publish subject into a wildcard, so such ids
/// are refused rather than escaped.
public enum EventSubject {
    /// The prefix every event subject starts with.
    public static let prefix = "activeseg.v1.events"

    /// The filter of the stream that keeps every event.
    public static let all = "\(prefix).>"

    /// The subject an event of `kind` in `scope` is published to.
    public static func subject(_ kind: EventKind, scope: String) throws(EventSubjectError) -> String {
        try validate(scope)
        return "\(prefix).\(scope).\(kind.rawValue)"
    }

    /// The subject `Event` is published to in `scope`.
    public static func subject<Event: BusEvent>(
        for event: Event.Type, scope: String
    ) throws(EventSubjectError) -> String {
        try subject(Event.kind, scope: scope)
    }

    /// A filter matching every event of one scope, for following a single experiment.
    public static func all(scope: String) throws(EventSubjectError) -> String {
        try validate(scope)
        return "\(prefix).\(scope).>"
    }

    private static func validate(_ scope: String) throws(EventSubjectError) {
        if scope.isEmpty {
            throw EventSubjectError(code: .emptyScope, scope: scope)
        }
        if let bad = scope.first(where: { $0 == "." || $0 == "*" || $0 == ">" || $0.isWhitespace }) {
            throw EventSubjectError(code: .invalidCharacter, scope: scope, character: bad)
        }
    }
}
