import CNATS
import Foundation

/// Messages of a core NATS subscription, as an `AsyncSequence`.
///
/// libnats delivers each message on the subscription's delivery thread; the handler copies it into
/// a `BusMessage`, destroys the `natsMsg`, and hands the copy to an `AsyncStream`, one at a time:
/// while the consumer has not taken the previous message, the delivery thread waits, and further
/// messages stay in libnats' queue, bounded by the subscription's ``PendingLimits`` (beyond them
/// libnats drops messages and reports a slow consumer). So a subscriber that falls behind holds
/// a bounded backlog, never an unbounded one. The sequence ends when the subscription is
/// unsubscribed or drained, or the connection closes.
///
/// Cancelling a task that waits for the next message unsubscribes. Dropping every copy of the
/// sequence and its iterators destroys the subscription.
public struct BusSubscription: AsyncSequence, Sendable {
    public typealias Element = BusMessage
    public typealias Failure = Never

    let handle: SubscriptionHandle
    let stream: AsyncStream<BusMessage>

    public var subject: String { handle.subject }

    /// What libnats holds for this subscription at most.
    public var pendingLimits: PendingLimits { handle.pendingLimits }

    /// Messages libnats dropped because the subscription's pending limits were reached.
    public var droppedMessages: Int { handle.droppedMessages }

    /// Stops the delivery of new messages; the sequence ends after those already received.
    ///
    /// Messages the server sent before it processed the unsubscribe, and those libnats holds but
    /// has not handed over yet, are dropped; `drain` keeps them.
    public func unsubscribe() {
        handle.unsubscribe()
    }

    /// Removes the subscription's interest but keeps every message the server routed to it until
    /// then: returns once the server has confirmed the unsubscribe and libnats has handed the
    /// last of those messages to the sequence, which then ends after them.
    ///
    /// Past `timeout` libnats closes the subscription anyway, dropping what it still holds, and the
    /// drain fails; a subscription that has already ended has nothing left to drain.
    public func drain(timeout: Duration = .seconds(30)) async throws {
        try await handle.drain(timeout: timeout)
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: stream.makeAsyncIterator(), handle: handle)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncStream<BusMessage>.Iterator
        let handle: SubscriptionHandle

        public mutating func next() async -> BusMessage? {
            let message = await base.next()
            if message != nil { handle.sink.taken() }
            return message
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> BusMessage? {
            let message = await base.next(isolation: actor)
            if message != nil { handle.sink.taken() }
            return message
        }
    }
}

/// Owns one async `natsSubscription` and destroys it exactly once, in `deinit`.
///
/// `@unchecked Sendable`: the handle never changes, and libnats documents subscription calls as
/// thread-safe (each takes the subscription's lock).
final class SubscriptionHandle: @unchecked Sendable {
    let subject: String
    let pendingLimits: PendingLimits
    let sink: SubscriptionSink
    private let pointer: OpaquePointer
    private let connection: BusConnection

    init(
        pointer: OpaquePointer, subject: String, pendingLimits: PendingLimits, sink: SubscriptionSink,
        connection: BusConnection
    ) {
        self.pointer = pointer
        self.subject = subject
        self.pendingLimits = pendingLimits
        self.sink = sink
        self.connection = connection
    }

    var droppedMessages: Int {
        var dropped: Int64 = 0
        // Fails only for a closed subscription, whose count no longer matters.
        _ = natsSubscription_GetDropped(pointer, &dropped)
        return Int(dropped)
    }

    deinit {
        natsSubscription_Destroy(pointer)
    }

    func unsubscribe() {
        // Fails only when the subscription is closed already, which is the requested outcome.
        _ = natsSubscription_Unsubscribe(pointer)
    }

    /// Starts the drain and waits for its end on a blocking-call thread.
    ///
    /// The drain completes when libnats has handed over every message it holds, so from now on the
    /// delivery thread no longer waits for the consumer: what is left (at most the pending limits,
    /// since the server sends nothing new) goes into the sequence at once.
    func drain(timeout: Duration) async throws(BusError) {
        sink.stopWaiting()
        let subscription = UnsafeHandle(pointer: pointer)
        let subject = subject
        try await connection.blocking { (_) throws(BusError) in
            try withExtendedLifetime(self) { () throws(BusError) in
                // Closed before or while draining (unsubscribed, or its connection closed): the
                // sequence has ended, which is what the drain waits for.
                func closed(_ status: natsStatus) -> Bool {
                    status == NATS_INVALID_SUBSCRIPTION || status == NATS_CONNECTION_CLOSED
                }
                let started = natsSubscription_DrainTimeout(subscription.pointer, timeout.milliseconds)
                if closed(started) { return }
                try BusError.check(started, subject: subject)
                // No timeout of its own: the drain's timeout closes the subscription, which ends the wait.
                try BusError.check(natsSubscription_WaitForDrainCompletion(subscription.pointer, 0), subject: subject)
                let completion = natsSubscription_DrainCompletionStatus(subscription.pointer)
                if closed(completion) { return }
                try BusError.check(completion, subject: subject)
            }
        }
    }
}

/// The closure context of one subscription: where its messages go, one at a time.
///
/// Lifetime: `subscribe` passes one retained reference to libnats. libnats calls the on-complete
/// callback once, after the subscription is closed and its message handler has returned for the
/// last time; that callback finishes the stream and releases the reference.
///
/// `@unchecked Sendable`: `unread` and `waits` are guarded by `condition`.
final class SubscriptionSink: @unchecked Sendable {
    let continuation: AsyncStream<BusMessage>.Continuation
    private let condition = NSCondition()
    /// Messages yielded to the stream and not yet taken by its consumer.
    private var unread = 0
    /// Whether the delivery thread waits for the consumer; false once the subscription or its
    /// connection drains, or its sequence has ended.
    private var waits = true

    /// How often a waiting delivery thread checks what nobody reports to the sink: that its
    /// subscription was closed (an unsubscribe, a closed connection), so it never waits on a
    /// consumer that is gone, or that its connection drains, whose drain waits for libnats to hand
    /// over everything it holds.
    private static let recheckInterval: TimeInterval = 0.1

    init(continuation: AsyncStream<BusMessage>.Continuation) {
        self.continuation = continuation
    }

    /// On the delivery thread: hands `message` to the stream once the consumer has taken the
    /// previous one; drops it when the subscription closed meanwhile.
    func deliver(_ message: BusMessage, connection: OpaquePointer?, subscription: OpaquePointer?) {
        condition.lock()
        while waits, unread > 0 {
            guard !condition.wait(until: Date(timeIntervalSinceNow: Self.recheckInterval)) else { continue }
            if let subscription, !natsSubscription_IsValid(subscription) {
                condition.unlock()
                return
            }
            if let connection, natsConnection_IsDraining(connection) { waits = false }
        }
        unread += 1
        condition.unlock()
        continuation.yield(message)
    }

    /// The consumer took a message from the stream.
    func taken() {
        condition.lock()
        unread -= 1
        condition.signal()
        condition.unlock()
    }

    /// Lets the delivery thread hand over every further message without waiting.
    func stopWaiting() {
        condition.lock()
        waits = false
        condition.broadcast()
        condition.unlock()
    }
}

private func onMessage(
    _ connection: OpaquePointer?, subscription: OpaquePointer?, message: OpaquePointer?,
    context: UnsafeMutableRawPointer?
) {
    guard let message else { return }
    let copy = NATSMessage.copy(message)
    natsMsg_Destroy(message)
    guard let context else { return }
    Unmanaged<SubscriptionSink>.fromOpaque(context).takeUnretainedValue()
        .deliver(copy, connection: connection, subscription: subscription)
}

private func onComplete(context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let sink = Unmanaged<SubscriptionSink>.fromOpaque(context).takeRetainedValue()
    sink.stopWaiting()
    sink.continuation.finish()
}

extension BusConnection {
    /// Subscribes to `subject` (wildcards allowed). With a `queueGroup`, each message goes to one
    /// member of the group only, which is how workers of one service share requests.
    /// `pendingLimits` bounds what libnats holds while the consumer is behind (rpc servers pass
    /// ``PendingLimits/rpc``).
    ///
    /// Call `flush()` afterwards when a publisher on another connection must not race the
    /// subscription's registration on the server.
    public func subscribe(
        to subject: String, queueGroup: String? = nil,
        pendingLimits: PendingLimits = .libnatsDefault
    ) async throws -> BusSubscription {
        let (stream, continuation) = AsyncStream.makeStream(of: BusMessage.self, bufferingPolicy: .unbounded)
        let sink = SubscriptionSink(continuation: continuation)
        let subscription = try await blocking { (connection) throws(BusError) -> UnsafeHandle in
            let context = Unmanaged.passRetained(sink).toOpaque()
            var created: OpaquePointer?
            let status =
                if let queueGroup {
                    natsConnection_QueueSubscribe(&created, connection, subject, queueGroup, onMessage, context)
                } else {
                    natsConnection_Subscribe(&created, connection, subject, onMessage, context)
                }
            guard status == NATS_OK, let subscription = created else {
                // No subscription exists, so libnats will never call back with this context.
                let error = BusError(status: status, subject: subject)
                Unmanaged<SubscriptionSink>.fromOpaque(context).release()
                throw error
            }
            let completion = natsSubscription_SetOnCompleteCB(subscription, onComplete, context)
            guard completion == NATS_OK else {
                // The connection closed between the two calls. The message handler may still be
                // running with `context` and libnats will not report when it returns, so the sink
                // reference is left to libnats rather than released under its feet.
                let error = BusError(status: completion, subject: subject)
                continuation.finish()
                natsSubscription_Destroy(subscription)
                throw error
            }
            let limited = natsSubscription_SetPendingLimits(
                subscription, Int32(clamping: pendingLimits.messages),
                Int32(clamping: pendingLimits.bytes))
            guard limited == NATS_OK else {
                // As above: the subscription exists, so libnats owns the sink reference now.
                let error = BusError(status: limited, subject: subject)
                continuation.finish()
                natsSubscription_Destroy(subscription)
                throw error
            }
            return UnsafeHandle(pointer: subscription)
        }
        let handle = SubscriptionHandle(
            pointer: subscription.pointer, subject: subject, pendingLimits: pendingLimits,
            sink: sink, connection: self)
        continuation.onTermination = { [weak handle, sink] _ in
            sink.stopWaiting()
            handle?.unsubscribe()
        }
        return BusSubscription(handle: handle, stream: stream)
    }
}
