import CNATS
import Foundation
import Synchronization

/// Request/reply without a blocked thread per request: one wildcard subscription per connection,
/// `_INBOX.<random>.*`, receives every reply, and the last subject token says which waiting
/// request it answers.
///
/// A request registers its token, publishes with the reply subject `<prefix>.<token>`, and
/// suspends; the reply, the server's "no responders" status (503), the timeout, cancellation or
/// the connection's close resumes it, whichever comes first, and the others find nothing left to
/// resume.
///
/// Lifetime: `BusConnection.connect` passes one retained reference to libnats as the
/// subscription's closure. libnats calls the on-complete callback once, after the subscription is
/// closed (with its connection) and the message handler has returned for the last time; that
/// callback fails the requests still waiting and releases the reference.
final class ReplyInbox: Sendable {
    private struct Waiting {
        var continuation: CheckedContinuation<BusMessage, any Error>
        /// The request's subject, named by the errors that end the wait.
        var subject: String
        /// Fails the request at its timeout; cancelled when something else ends it first.
        var expiry: Task<Void, Never>?

        func finish(_ result: Result<BusMessage, any Error>) {
            expiry?.cancel()
            continuation.resume(with: result)
        }
    }

    private struct State {
        var waiting: [UInt64: Waiting] = [:]
        var nextToken: UInt64 = 0
        var isClosed = false
    }

    /// `_INBOX.<random>`: random per connection, so replies never reach another client.
    let prefix = "_INBOX.\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
    private let state = Mutex(State())

    var wildcardSubject: String { "\(prefix).*" }

    func makeToken() -> UInt64 {
        state.withLock { state in
            defer { state.nextToken += 1 }
            return state.nextToken
        }
    }

    func replySubject(for token: UInt64) -> String { "\(prefix).\(token)" }

    /// Registers the continuation of request `token` and starts its timeout; fails it at once when
    /// the connection is already closed.
    func wait(
        _ token: UInt64, subject: String, timeout: Duration,
        continuation: CheckedContinuation<BusMessage, any Error>
    ) {
        let closed = state.withLock { state in
            if state.isClosed { return true }
            state.waiting[token] = Waiting(continuation: continuation, subject: subject)
            return false
        }
        if closed {
            continuation.resume(
                throwing: BusError(code: .connectionClosed, subject: subject, detail: "the connection is closed"))
            return
        }
        // Started only once the request is registered, so that even a zero timeout finds it.
        let expiry = Task {
            do { try await Task.sleep(for: timeout) } catch { return }
            resolve(
                token, with: .failure(BusError(code: .timeout, subject: subject, detail: "no reply within \(timeout)")))
        }
        let pending = state.withLock { state in
            state.waiting[token]?.expiry = expiry
            return state.waiting[token] != nil
        }
        if !pending { expiry.cancel() }
    }

    /// Ends request `token` unless something else ended it first.
    func resolve(_ token: UInt64, with result: Result<BusMessage, any Error>) {
        state.withLock { $0.waiting.removeValue(forKey: token) }?.finish(result)
    }

    /// The reply to request `token`, on the subscription's delivery thread.
    fileprivate func deliver(_ message: OpaquePointer) {
        let subject = String(cString: natsMsg_GetSubject(message))
        guard subject.hasPrefix(prefix), let token = UInt64(subject.dropFirst(prefix.count + 1)) else { return }
        guard let waiting = state.withLock({ $0.waiting.removeValue(forKey: token) }) else { return }
        if natsMsg_IsNoResponders(message) {
            waiting.finish(
                .failure(
                    BusError(
                        code: .noResponders, subject: waiting.subject,
                        detail: "no responders available for request")))
        } else {
            waiting.finish(.success(NATSMessage.copy(message)))
        }
    }

    fileprivate func close() {
        let waiting = state.withLock { state in
            state.isClosed = true
            defer { state.waiting = [:] }
            return state.waiting
        }
        for request in waiting.values {
            request.finish(
                .failure(
                    BusError(
                        code: .connectionClosed, subject: request.subject,
                        detail: "the connection closed before the reply arrived")))
        }
    }
}

extension ReplyInbox {
    /// Subscribes the inbox on `connection`; runs on a blocking-call thread during connect.
    static func subscribe(on connection: OpaquePointer) throws(BusError) -> (ReplyInbox, UnsafeHandle) {
        let inbox = ReplyInbox()
        let context = Unmanaged.passRetained(inbox).toOpaque()
        var created: OpaquePointer?
        let status = natsConnection_Subscribe(&created, connection, inbox.wildcardSubject, onReply, context)
        guard status == NATS_OK, let subscription = created else {
            // No subscription exists, so libnats will never call back with this context.
            let error = BusError(status: status, subject: inbox.wildcardSubject)
            Unmanaged<ReplyInbox>.fromOpaque(context).release()
            throw error
        }
        let completion = natsSubscription_SetOnCompleteCB(subscription, onInboxComplete, context)
        guard completion == NATS_OK else {
            // As in `subscribe(to:)`: the handler may still run with `context`, so libnats keeps it.
            let error = BusError(status: completion, subject: inbox.wildcardSubject)
            natsSubscription_Destroy(subscription)
            throw error
        }
        return (inbox, UnsafeHandle(pointer: subscription))
    }
}

private func onReply(_: OpaquePointer?, _: OpaquePointer?, message: OpaquePointer?, context: UnsafeMutableRawPointer?) {
    guard let message else { return }
    defer { natsMsg_Destroy(message) }
    guard let context else { return }
    Unmanaged<ReplyInbox>.fromOpaque(context).takeUnretainedValue().deliver(message)
}

private func onInboxComplete(context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<ReplyInbox>.fromOpaque(context).takeRetainedValue().close()
}
