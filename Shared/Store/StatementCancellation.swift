import CLibPQ
import Foundation
import Synchronization

/// libpq's cancel key of one backend session (`PQgetCancel`).
///
/// Ownership: owns one `PGcancel` and frees it when the last holder lets go, so a cancel request
/// still being sent never sees it freed by a reconnect or a close. `@unchecked Sendable`: libpq
/// only reads a `PGcancel` in `PQcancel`, which it documents as safe from any thread.
final class CancelKey: @unchecked Sendable {
    private let pointer: OpaquePointer

    /// The key of the session `connection` is connected to now; nil when libpq has none.
    init?(_ connection: OpaquePointer) {
        guard let pointer = PQgetCancel(connection) else { return nil }
        self.pointer = pointer
    }

    deinit {
        PQfreeCancel(pointer)
    }

    /// Asks the server, over a connection of its own, to cancel whatever the session runs now;
    /// blocks for that round trip. Returns libpq's message when the request could not be sent.
    func send() -> String? {
        var message = [CChar](repeating: 0, count: 256)
        if PQcancel(pointer, &message, Int32(message.count)) == 1 { return nil }
        return String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Cancellation of one statement, shared between the task that awaits it and the connection's
/// queue that runs it.
///
/// Swift runs a task's cancellation handler on the thread that cancels it, at any moment: before
/// the statement reaches the queue, while libpq blocks in it, or after it. Before, the statement is
/// not sent at all; while it runs, the server is asked to cancel it, which makes libpq return with
/// SQLSTATE 57014, and the caller sees `CancellationError`; after, nothing happens. The request goes
/// out from a thread of its own, never from the cancelling thread (which may be one of Swift's
/// cooperative threads) and never from the blocked queue.
final class StatementCancellation: Sendable {
    private enum State {
        case waiting
        /// `key` is nil when libpq had no cancel key for the session; `cancelled` once asked.
        case running(key: CancelKey?, cancelled: Bool)
        case cancelledBeforeStart
        case finished(cancelled: Bool)
    }

    private let state = Mutex(State.waiting)

    /// How often, in seconds, the request is repeated while the statement still runs: a request
    /// that reaches the server before the statement does finds the session idle and is ignored.
    static let retryInterval: TimeInterval = 0.5
    /// Requests sent at most, so a server that never answers cannot keep a thread forever.
    static let maxRequests = 20

    /// Called on the connection's queue before the statement is sent; false when the task was
    /// cancelled already, so the statement must not run.
    func begin(_ key: CancelKey?) -> Bool {
        state.withLock { state in
            guard case .waiting = state else { return false }
            state = .running(key: key, cancelled: false)
            return true
        }
    }

    /// Called on the connection's queue when libpq has returned; whether cancellation was asked for
    /// while the statement ran, in which case a 57014 error is the cancellation's doing.
    func end() -> Bool {
        state.withLock { state in
            guard case .running(_, let cancelled) = state else { return false }
            state = .finished(cancelled: cancelled)
            return cancelled
        }
    }

    /// The task's cancellation handler; `report` receives libpq's message for a request that could
    /// not be sent.
    func cancel(report: @escaping @Sendable (String) -> Void) {
        let key: CancelKey? = state.withLock { state in
            switch state {
            case .waiting:
                state = .cancelledBeforeStart
                return nil
            case .running(let key, _):
                state = .running(key: key, cancelled: true)
                return key
            case .cancelledBeforeStart, .finished:
                return nil
            }
        }
        guard let key else { return }
        let thread = Thread { [self] in
            for _ in 0..<Self.maxRequests {
                if let failure = key.send() { report(failure) }
                Thread.sleep(forTimeInterval: Self.retryInterval)
                guard isRunning else { return }
            }
        }
        thread.name = "activeseg-store-cancel"
        thread.start()
    }

    private var isRunning: Bool {
        state.withLock { state in
            if case .running = state { return true }
            return false
        }
    }
}
