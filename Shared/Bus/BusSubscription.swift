import CNATS

/// Messages of a core NATS subscription, as an `AsyncSequence`.
///
/// libnats delivers each message on its own delivery thread; the handler copies it into a
/// `BusMessage`, destroys the `natsMsg`, and yields the copy to an unbounded `AsyncStream`, so a
/// slow consumer never blocks libnats (the buffer grows instead). The sequence ends when the
/// subscription is unsubscribed or drained, or the connection closes.
///
/// Cancelling a task that waits for the next message unsubscribes. Dropping every copy of the
/// sequence and its iterators destroys the subscription.
public struct BusSubscription: AsyncSequence, Sendable {
    public typealias Element = BusMessage
    public typealias Failure = Never

    let handle: SubscriptionHandle
    let stream: AsyncStream<BusMessage>

    public var subject: String { handle.subject }

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
            await base.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> BusMessage? {
            await base.next(isolation: actor)
        }
    }
}

/// Owns one async `natsSubscription` and destroys it exactly once, in `deinit`.
///
/// `@unchecked Sendable`: the handle never changes, and libnats documents subscription calls as
/// thread-safe (each takes the subscription's lock).
final class SubscriptionHandle: @unchecked Sendable {
    let subject: String
    private let pointer: OpaquePointer
    private let connection: BusConnection

    init(pointer: OpaquePointer, subject: String, connection: BusConnection) {
        self.pointer = pointer
        self.subject = subject
        self.connection = connection
    }

    deinit {
        natsSubscription_Destroy(pointer)
    }

    func unsubscribe() {
        // Fails only when the subscription is closed already, which is the requested outcome.
        _ = natsSubscription_Unsubscribe(pointer)
    }

    /// Starts the drain and waits for its end on a blocking-call thread.
    func drain(timeout: Duration) async throws(BusError) {
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

/// The closure context of one subscription: where its messages go.
///
/// Lifetime: `subscribe` passes one retained reference to libnats. libnats calls the on-complete
/// callback once, after the subscription is closed and its message handler has returned for the
/// last time; that callback finishes the stream and releases the reference.
final class SubscriptionSink: Sendable {
    let continuation: AsyncStream<BusMessage>.Continuation

    init(continuation: AsyncStream<BusMessage>.Continuation) {
        self.continuation = continuation
    }
}

private func onMessage(_: OpaquePointer?, _: OpaquePointer?, message: OpaquePointer?, context: UnsafeMutableRawPointer?) {
    guard let message else { return }
    defer { natsMsg_Destroy(message) }
    guard let context else { return }
    let sink = Unmanaged<SubscriptionSink>.fromOpaque(context).takeUnretainedValue()
    sink.continuation.yield(NATSMessage.copy(message))
}

private func onComplete(context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<SubscriptionSink>.fromOpaque(context).takeRetainedValue().continuation.finish()
}

extension BusConnection {
    /// Subscribes to `subject` (wildcards allowed). With a `queueGroup`, each message goes to one
    /// member of the group only, which is how workers of one service share requests.
    ///
    /// Call `flush()` afterwards when a publisher on another connection must not race the
    /// subscription's registration on the server.
    public func subscribe(to subject: String, queueGroup: String? = nil) async throws -> BusSubscription {
        let (stream, continuation) = AsyncStream.makeStream(of: BusMessage.self, bufferingPolicy: .unbounded)
        let sink = SubscriptionSink(continuation: continuation)
        let subscription = try await blocking { (connection) throws(BusError) -> UnsafeHandle in
            let context = Unmanaged.passRetained(sink).toOpaque()
            var created: OpaquePointer?
            let status = if let queueGroup {
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
            return UnsafeHandle(pointer: subscription)
        }
        let handle = SubscriptionHandle(pointer: subscription.pointer, subject: subject, connection: self)
        continuation.onTermination = { [weak handle] _ in handle?.unsubscribe() }
        return BusSubscription(handle: handle, stream: stream)
    }
}
