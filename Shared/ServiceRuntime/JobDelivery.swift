/// How the consumer treats a job that is taken but not settled.
public struct JobDelivery: Sendable, Hashable {
    /// A job not acknowledged (nor reported in progress) within this time goes to another worker.
    public var ackWait: Duration
    /// Attempts a job gets: a failure on the last one is final, and a job delivered once more
    /// than this had its last attempt end without an outcome (its worker died or stalled), so the
    /// worker fails it instead of running it again.
    public var maxAttempts: Int
    /// How often a busy worker tells the server it is still on the job; well under `ackWait`.
    public var heartbeat: Duration
    /// How long a failed job waits before it is offered again.
    public var retryDelay: Duration

    public init(
        ackWait: Duration = .seconds(60), maxAttempts: Int = 4, heartbeat: Duration = .seconds(15),
        retryDelay: Duration = .seconds(10)
    ) {
        precondition(heartbeat < ackWait, "heartbeats must come before the ack wait runs out")
        precondition(maxAttempts >= 1, "a job needs at least one attempt")
        self.ackWait = ackWait
        self.maxAttempts = maxAttempts
        self.heartbeat = heartbeat
        self.retryDelay = retryDelay
    }

    /// Deliveries the consumer makes: one past the attempts, so that a job whose worker died on
    /// its last attempt reaches a worker once more and is failed loudly instead of lying unsettled.
    public var maxDeliver: Int { maxAttempts + 1 }
}

extension JobDelivery {
    /// The contract's settings with what an operator set:
    /// - `ACTIVESEG_JOB_ACK_WAIT` (whole seconds, default 60), heartbeats at a quarter of it: a
    ///   deployment whose workers may stall longer (a slow disk) raises it, a test that kills
    ///   workers lowers it;
    /// - `ACTIVESEG_JOB_MAX_ATTEMPTS` (default 4): attempts before a job that keeps failing, or
    ///   keeps killing its worker (a crash, an out-of-memory kill), is marked failed.
    public init(environment: [String: String]) throws(ServiceConfigurationError) {
        self.init()
        if let seconds = try ServiceConfiguration.positiveInteger(
            "ACTIVESEG_JOB_ACK_WAIT", in: environment, unit: "seconds")
        {
            self.init(
                ackWait: .seconds(seconds), heartbeat: .milliseconds(seconds * 250),
                retryDelay: min(retryDelay, .seconds(seconds)))
        }
        if let attempts = try ServiceConfiguration.positiveInteger(
            "ACTIVESEG_JOB_MAX_ATTEMPTS", in: environment, unit: "attempts")
        {
            maxAttempts = attempts
        }
    }
}
