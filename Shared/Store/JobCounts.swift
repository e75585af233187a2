/// The jobs of one phase of a round by outcome, as ``JobRepository/counts(of:round:keyPrefix:on:)``
/// reads them, with the error of the first one that failed (in the order the jobs were recorded).
public struct JobCounts: Sendable, Hashable {
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
}
