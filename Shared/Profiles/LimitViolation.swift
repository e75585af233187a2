/// A field of an experiment specification, or of a job copied from one, outside its limit in
/// ``ExperimentSpecLimits``. The orchestrator answers it as `INVALID_ARGUMENT`, and a worker fails
/// the job with it, so the person who set the field reads which one and what it may be.
public struct LimitViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field as the contract names it, with its message's path (`hyper_parameters.patch_edge`).
    public var field: String
    /// The value sent, as text.
    public var value: String
    /// What the field may be, as the table in docs/services.md (Experiment limits) states it.
    public var limit: String

    public init(field: String, value: String, limit: String) {
        self.field = field
        self.value = value
        self.limit = limit
    }

    public var description: String { "\(field) is \(value), outside its limit: \(limit)" }
}
