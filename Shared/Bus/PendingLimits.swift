/// How much of a subscription's inbound traffic libnats holds for a consumer that is behind
/// (`natsSubscription_SetPendingLimits`). Past either limit libnats drops new messages, counts them
/// (``BusSubscription/droppedMessages``) and reports the subscription as a slow consumer, which the
/// connection logs; a dropped request's caller gets no answer and sees its timeout.
///
/// The subscription's sequence hands messages over one at a time: libnats' delivery thread waits
/// while the consumer has not taken the previous one, so these limits, not an unbounded buffer in
/// Swift, bound what a subscriber holds.
public struct PendingLimits: Sendable, Hashable {
    /// Messages held at most.
    public var messages: Int
    /// Bytes of messages (subject, headers and payload) held at most.
    public var bytes: Int

    public init(messages: Int, bytes: Int) {
        precondition(messages > 0 && bytes > 0, "pending limits must be positive")
        self.messages = messages
        self.bytes = bytes
    }

    /// libnats' own defaults, 65536 messages and 64 MiB: for subscribers that read what they asked
    /// for (events, replies, tests), where a burst must not be lost.
    public static let libnatsDefault = PendingLimits(messages: 65_536, bytes: 64 * 1024 * 1024)

    /// An rpc method's requests waiting for a worker's free slot: 1024 requests or 32 MiB.
    ///
    /// A request waits under its caller's timeout (2–30 s for the services' calls) while the worker
    /// answers the method `ACTIVESEG_CONCURRENCY` requests at a time. The cheap methods (status,
    /// ping) take about a millisecond, so a backlog of 1024 is worked through within any caller's
    /// timeout, and one of slower requests (a selection takes 50–100 ms) would outlast the timeouts
    /// anyway: a request dropped beyond it makes no caller wait longer than it would have. 32 MiB is
    /// four requests of the deployment's 8 MB `max_payload` (selection requests carry a feature
    /// vector per candidate) and bounds the memory one method's backlog takes.
    public static let rpc = PendingLimits(messages: 1024, bytes: 32 * 1024 * 1024)
}
