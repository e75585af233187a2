/// How the consumer treats a job that is taken but not settled.
public struct JobDelivery: Sendable, Hashable {
    /// A job not acknowledged (nor reported in progress) within this time goes to another worker.
    public var ackWait: Duration
    /// Deliveries before a job is given up; the worker terminates it on the last one.
    public var maxDeliver: Int
    /// How often a busy worker tells the server it is still on the job; well under `ackWait`.
    public var heartbeat: Duration
    /// How long a failed job waits before it is offered again.
    public var retryDelay: Duration

    public init(ackWait: Duration = .seconds(60), maxDeliver: Int = 5, heartbeat: Duration = .seconds(15),
                retryDelay: Duration = .seconds(10)) {
        precondition(heartbeat < ackWait, "heartbeats must come before the ack wait runs out")
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.heartbeat = heartbeat
        self.retryDelay = retryDelay
    }
}

extension JobDelivery {
    /// The contract's settings with the ack wait an operator set in `ACTIVESEG_JOB_ACK_WAIT`
    /// (whole seconds, default 60), heartbeats at a quarter of it: a deployment whose workers may
    /// stall longer (a slow disk) raises it, a test that kills workers lowers it.
    public init(environment: [String: String]) throws(ServiceConfigurationError) {
        self.init()
        guard let text = environment["ACTIVESEG_JOB_ACK_WAIT"], !text.isEmpty else { return }
        guard let seconds = Int(text), seconds >= 1 else {
            throw ServiceConfigurationError(.invalidValue, key: "ACTIVESEG_JOB_ACK_WAIT",
                                            detail: "expected a positive number of seconds, got '\(text)'")
        }
        self.init(ackWait: .seconds(seconds), heartbeat: .milliseconds(seconds * 250),
                  retryDelay: min(retryDelay, .seconds(seconds)))
    }
}
