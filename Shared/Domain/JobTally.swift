/// Counts of the jobs of one phase of a round by outcome, and the first failure's reason (in the
/// order the jobs were recorded): what the orchestrator's state machine decides on, counted by the
/// database (`JobRepository.counts`) so a step never loads the jobs themselves.
public struct JobTally: Sendable, Hashable {
    public var total: Int
    public var succeeded: Int
    public var failed: Int
    public var firstFailure: String?

    public init(total: Int = 0, succeeded: Int = 0, failed: Int = 0, firstFailure: String? = nil) {
        self.total = total
        self.succeeded = succeeded
        self.failed = failed
        self.firstFailure = firstFailure
    }

    public var outstanding: Int { total - succeeded - failed }
}
