import CNATS
import Logging
import Synchronization

/// The context libnats hands to a connection's callbacks: it fans state changes out to
/// listeners, wakes tasks waiting for the close, and computes the reconnect back-off.
///
/// Lifetime: `BusConnection.connect` passes one retained reference to libnats as the callback
/// closure. libnats posts every connection callback (the asynchronous-error one included), the
/// closed callback last, to its single callback thread, and posts "closed" only after joining the reconnect thread, so no callback
/// runs after "closed": the closed callback releases the reference. If the initial connect fails
/// libnats invokes no callback, and `connect` releases it instead.
final class ConnectionCallbacks: Sendable {
    private struct State {
        var listeners: [Int: AsyncStream<ConnectionEvent>.Continuation] = [:]
        var nextListener = 0
        var isClosed = false
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let configuration: BusConfiguration
    let logger: Logger
    private let state = Mutex(State())

    init(configuration: BusConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    var isClosed: Bool { state.withLock { $0.isClosed } }

    /// A stream of the events after this call; it finishes after `.closed`.
    func events() -> AsyncStream<ConnectionEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ConnectionEvent.self, bufferingPolicy: .unbounded)
        let registered: Int? = state.withLock { state in
            if state.isClosed { return nil }
            let id = state.nextListener
            state.nextListener += 1
            state.listeners[id] = continuation
            return id
        }
        guard let registered else {
            continuation.yield(.closed)
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.listeners.removeValue(forKey: registered) }
        }
        return stream
    }

    /// Returns once the connection is closed.
    func waitUntilClosed() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let closed = state.withLock { state in
                if state.isClosed { return true }
                state.closeWaiters.append(waiter)
                return false
            }
            if closed { waiter.resume() }
        }
    }

    func deliver(_ event: ConnectionEvent) {
        let (listeners, waiters) = state.withLock { state in
            if event == .closed {
                state.isClosed = true
                defer {
                    state.listeners = [:]
                    state.closeWaiters = []
                }
                return (Array(state.listeners.values), state.closeWaiters)
            }
            return (Array(state.listeners.values), [])
        }
        logger.log(
            level: event == .closed ? .debug : .notice, "NATS connection \(event)",
            metadata: ["nats.client": "\(configuration.clientName)"])
        for listener in listeners {
            listener.yield(event)
            if event == .closed { listener.finish() }
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Registers the callbacks on `options`, handing libnats the retained `context`.
    func install(on options: OpaquePointer, context: UnsafeMutableRawPointer) throws(BusError) {
        let subject = configuration.serverList
        try BusError.check(natsOptions_SetDisconnectedCB(options, onDisconnected, context), subject: subject)
        try BusError.check(natsOptions_SetReconnectedCB(options, onReconnected, context), subject: subject)
        try BusError.check(natsOptions_SetClosedCB(options, onClosed, context), subject: subject)
        try BusError.check(natsOptions_SetCustomReconnectDelay(options, reconnectDelay, context), subject: subject)
        try BusError.check(natsOptions_SetErrorHandler(options, onAsyncError, context), subject: subject)
    }

    /// An error libnats met outside any call, e.g. a subscription dropping messages at its
    /// pending limits (a slow consumer): logged, since nothing else would show it.
    func report(_ status: natsStatus, subject: String?) {
        let text = String(cString: natsStatus_GetText(status))
        if status == NATS_SLOW_CONSUMER {
            logger.warning(
                "NATS subscription at its pending limits drops messages (slow consumer)",
                metadata: ["nats.subject": "\(subject ?? "?")", "nats.client": "\(configuration.clientName)"])
        } else {
            logger.warning(
                "NATS asynchronous error: \(text)",
                metadata: ["nats.subject": "\(subject ?? "-")", "nats.client": "\(configuration.clientName)"])
        }
    }
}

private func onDisconnected(_: OpaquePointer?, context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ConnectionCallbacks>.fromOpaque(context).takeUnretainedValue().deliver(.disconnected)
}

private func onReconnected(_: OpaquePointer?, context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ConnectionCallbacks>.fromOpaque(context).takeUnretainedValue().deliver(.reconnected)
}

private func onAsyncError(
    _: OpaquePointer?, subscription: OpaquePointer?, status: natsStatus,
    context: UnsafeMutableRawPointer?
) {
    guard let context else { return }
    let subject = subscription.flatMap { natsSubscription_GetSubject($0) }.map { String(cString: $0) }
    Unmanaged<ConnectionCallbacks>.fromOpaque(context).takeUnretainedValue().report(status, subject: subject)
}

/// The last callback of a connection: delivers `.closed`, then releases libnats' reference.
private func onClosed(_: OpaquePointer?, context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ConnectionCallbacks>.fromOpaque(context).takeRetainedValue().deliver(.closed)
}

/// Exponential back-off with jitter; libnats calls it once per round over the server list.
private func reconnectDelay(_: OpaquePointer?, attempts: Int32, context: UnsafeMutableRawPointer?) -> Int64 {
    guard let context else { return 0 }
    let configuration = Unmanaged<ConnectionCallbacks>.fromOpaque(context).takeUnretainedValue().configuration
    let jitter = configuration.reconnectJitter.milliseconds
    return configuration.reconnectDelay(attempt: Int(attempts)).milliseconds
        + (jitter > 0 ? Int64.random(in: 0...jitter) : 0)
}
