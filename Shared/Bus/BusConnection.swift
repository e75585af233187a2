import CNATS
import Foundation
import Logging

/// A connection to NATS: publish, subscribe, request/reply, and the way into JetStream.
///
/// Thread safety: the wrapped `natsConnection` is documented by libnats as safe to use from any
/// thread (every call takes the connection's own lock), and the handle itself never changes after
/// `connect`, so the class is `@unchecked Sendable` without a Swift lock of its own.
///
/// Ownership: this object owns one `natsConnection` and the subscription of its `ReplyInbox`, and
/// destroys both exactly once, in `deinit`.
/// Subscriptions, JetStream contexts and consumers keep their connection alive by holding a
/// strong reference to it.
public final class BusConnection: @unchecked Sendable {
    public let configuration: BusConfiguration
    let logger: Logger
    private let handle: OpaquePointer
    private let callbacks: ConnectionCallbacks
    private let inbox: ReplyInbox
    /// The inbox's wildcard subscription, destroyed with the connection.
    private let inboxSubscription: OpaquePointer

    private init(
        handle: OpaquePointer, callbacks: ConnectionCallbacks, inbox: ReplyInbox, inboxSubscription: OpaquePointer
    ) {
        self.handle = handle
        self.callbacks = callbacks
        self.inbox = inbox
        self.inboxSubscription = inboxSubscription
        self.configuration = callbacks.configuration
        self.logger = callbacks.logger
    }

    deinit {
        let connection = UnsafeHandle(pointer: handle)
        let subscription = UnsafeHandle(pointer: inboxSubscription)
        BlockingCalls.detach {
            natsSubscription_Destroy(subscription.pointer)
            natsConnection_Destroy(connection.pointer)
        }
    }

    /// Connects to the first reachable server of `configuration.servers`.
    ///
    /// Fails with `.notConnected` when no server answers and `.authenticationFailed` when the
    /// credentials are refused; once connected, losses are repaired by reconnecting.
    public static func connect(_ configuration: BusConfiguration, logger: Logger) async throws -> BusConnection {
        let callbacks = ConnectionCallbacks(configuration: configuration, logger: logger)
        let (connection, inbox, subscription) = try await BlockingCalls.run {
            () throws(BusError) -> (UnsafeHandle, ReplyInbox, UnsafeHandle) in
            try establish(configuration, callbacks: callbacks)
        }
        return connected(configuration, callbacks: callbacks, connection, inbox, subscription)
    }

    /// `connect` for a caller already on a thread that may block (an object bucket's transfer
    /// thread), which waits for the server here.
    static func connectHere(_ configuration: BusConfiguration, logger: Logger) throws(BusError) -> BusConnection {
        let callbacks = ConnectionCallbacks(configuration: configuration, logger: logger)
        let (connection, inbox, subscription) = try establish(configuration, callbacks: callbacks)
        return connected(configuration, callbacks: callbacks, connection, inbox, subscription)
    }

    /// Connects and subscribes the reply inbox; runs on a thread that may block.
    private static func establish(
        _ configuration: BusConfiguration, callbacks: ConnectionCallbacks
    ) throws(BusError) -> (UnsafeHandle, ReplyInbox, UnsafeHandle) {
        let connection = try open(configuration, callbacks: callbacks)
        do throws(BusError) {
            let (inbox, subscription) = try ReplyInbox.subscribe(on: connection.pointer)
            return (connection, inbox, subscription)
        } catch {
            natsConnection_Destroy(connection.pointer)
            throw error
        }
    }

    private static func connected(
        _ configuration: BusConfiguration, callbacks: ConnectionCallbacks, _ connection: UnsafeHandle,
        _ inbox: ReplyInbox, _ subscription: UnsafeHandle
    ) -> BusConnection {
        let logger = callbacks.logger
        logger.debug(
            "NATS connected",
            metadata: [
                "nats.servers": "\(configuration.serverList)",
                "nats.client": "\(configuration.clientName)",
            ])
        return BusConnection(
            handle: connection.pointer, callbacks: callbacks, inbox: inbox,
            inboxSubscription: subscription.pointer)
    }

    /// Creates options (destroyed before returning: libnats clones them into the connection),
    /// and connects; runs on a blocking-call thread.
    private static func open(
        _ configuration: BusConfiguration, callbacks: ConnectionCallbacks
    ) throws(BusError) -> UnsafeHandle {
        let subject = configuration.serverList
        guard !configuration.servers.isEmpty else {
            throw BusError(code: .invalidConfiguration, subject: subject, detail: "no server URL configured")
        }
        var created: OpaquePointer?
        try BusError.check(natsOptions_Create(&created), subject: subject)
        guard let options = created else {
            throw BusError(
                code: .other(Int(NATS_ERR.rawValue)), subject: subject, detail: "natsOptions_Create returned no options"
            )
        }
        defer { natsOptions_Destroy(options) }

        let strings = CStringArena()
        try BusError.check(
            natsOptions_SetServers(options, strings.copy(configuration.servers), Int32(configuration.servers.count)),
            subject: subject)
        try BusError.check(natsOptions_SetNoRandomize(options, true), subject: subject)
        try BusError.check(natsOptions_SetName(options, configuration.clientName), subject: subject)
        switch configuration.credentials {
        case .none: break
        case .userPassword(let user, let password):
            try BusError.check(natsOptions_SetUserInfo(options, user, password), subject: subject)
        case .token(let token):
            try BusError.check(natsOptions_SetToken(options, token), subject: subject)
        }
        try BusError.check(natsOptions_SetTimeout(options, configuration.connectTimeout.milliseconds), subject: subject)
        try BusError.check(natsOptions_SetAllowReconnect(options, true), subject: subject)
        try BusError.check(
            natsOptions_SetMaxReconnect(options, Int32(configuration.maxReconnectAttempts ?? -1)), subject: subject)
        try BusError.check(
            natsOptions_SetReconnectBufSize(options, Int32(configuration.reconnectBufferBytes)), subject: subject)

        let context = Unmanaged.passRetained(callbacks).toOpaque()
        var connection: OpaquePointer?
        let status: natsStatus
        do throws(BusError) {
            try callbacks.install(on: options, context: context)
            status = natsConnection_Connect(&connection, options)
        } catch {
            Unmanaged<ConnectionCallbacks>.fromOpaque(context).release()
            throw error
        }
        guard status == NATS_OK, let connection else {
            // A failed initial connect invokes no callback, so libnats never took the reference.
            let error = BusError(status: status, subject: subject)
            Unmanaged<ConnectionCallbacks>.fromOpaque(context).release()
            throw error
        }
        return UnsafeHandle(pointer: connection)
    }

    /// State changes from now on; the stream finishes after `.closed`. Each call gets its own
    /// stream, so several listeners can watch one connection.
    public func events() -> AsyncStream<ConnectionEvent> {
        callbacks.events()
    }

    public var isClosed: Bool { callbacks.isClosed }

    /// The raw connection, for creating a JetStream context (which retains it).
    var handleForJetStream: OpaquePointer { handle }

    /// Runs `body` with the raw connection on a blocking-call thread.
    func blocking<Value: Sendable>(
        _ body: @escaping @Sendable (OpaquePointer) throws(BusError) -> Value
    ) async throws(BusError) -> Value {
        let connection = UnsafeHandle(pointer: handle)
        return try await BlockingCalls.run { () throws(BusError) -> Value in
            try withExtendedLifetime(self) { () throws(BusError) -> Value in try body(connection.pointer) }
        }
    }

    /// Publishes to `subject`. The message is buffered by libnats (also while reconnecting);
    /// `flush` waits until the server has it.
    public func publish(
        _ payload: Data, to subject: String, headers: BusHeaders = BusHeaders(),
        replyTo replySubject: String? = nil
    ) async throws {
        try await blocking { (connection) throws(BusError) in
            try Self.publish(payload, to: subject, headers: headers, replyTo: replySubject, on: connection)
        }
    }

    /// Hands the message to libnats' outgoing buffer; runs on a blocking-call thread.
    private static func publish(
        _ payload: Data, to subject: String, headers: BusHeaders, replyTo replySubject: String?,
        on connection: OpaquePointer
    ) throws(BusError) {
        try NATSMessage.with(subject: subject, replySubject: replySubject, headers: headers, payload: payload) {
            (message) throws(BusError) in
            try BusError.check(natsConnection_PublishMsg(connection, message), subject: subject)
        }
    }

    /// Answers a request received on a subscription.
    public func reply(to request: BusMessage, with payload: Data, headers: BusHeaders = BusHeaders()) async throws {
        guard let replySubject = request.replySubject else {
            throw BusError(
                code: .noReplySubject, subject: request.subject,
                detail: "the message was published without a reply subject")
        }
        try await publish(payload, to: replySubject, headers: headers)
    }

    /// Sends a request and waits for the first reply.
    ///
    /// Fails with `.noResponders` as soon as the server reports that nobody listens on `subject`,
    /// with `.timeout` when a responder exists but did not answer within `timeout`, and with
    /// `CancellationError` when the calling task is cancelled first. No thread waits meanwhile:
    /// the reply arrives on the connection's inbox subscription (see `ReplyInbox`).
    public func request(
        _ payload: Data, to subject: String, headers: BusHeaders = BusHeaders(),
        timeout: Duration
    ) async throws -> BusMessage {
        let inbox = self.inbox
        let token = inbox.makeToken()
        let replySubject = inbox.replySubject(for: token)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                inbox.wait(token, subject: subject, timeout: timeout, continuation: continuation)
                if Task.isCancelled {
                    inbox.resolve(token, with: .failure(CancellationError()))
                    return
                }
                let connection = UnsafeHandle(pointer: handle)
                BlockingCalls.detach {
                    do throws(BusError) {
                        try withExtendedLifetime(self) { () throws(BusError) in
                            try Self.publish(
                                payload, to: subject, headers: headers, replyTo: replySubject, on: connection.pointer)
                        }
                    } catch {
                        inbox.resolve(token, with: .failure(error))
                    }
                }
            }
        } onCancel: {
            inbox.resolve(token, with: .failure(CancellationError()))
        }
    }

    /// Waits until the server has processed everything sent so far (subscriptions included), so
    /// that a publish from another connection after this call reaches this connection's
    /// subscriptions.
    public func flush(timeout: Duration = .seconds(5)) async throws {
        let servers = configuration.serverList
        try await blocking { (connection) throws(BusError) in
            try BusError.check(natsConnection_FlushTimeout(connection, timeout.milliseconds), subject: servers)
        }
    }

    /// Stops taking new messages, lets subscriptions deliver what they already received, sends
    /// what is buffered, then closes; returns once closed. Past `configuration.drainTimeout`
    /// libnats closes the connection anyway.
    public func drain() async throws {
        let servers = configuration.serverList
        let timeout = configuration.drainTimeout.milliseconds
        let alreadyClosed = try await blocking { (connection) throws(BusError) -> Bool in
            let status = natsConnection_DrainTimeout(connection, timeout)
            if status == NATS_CONNECTION_CLOSED { return true }
            try BusError.check(status, subject: servers)
            return false
        }
        if !alreadyClosed { logger.debug("NATS connection draining") }
        await callbacks.waitUntilClosed()
    }

    /// Closes at once: buffered publishes are flushed, undelivered messages are dropped.
    public func close() async {
        _ = try? await blocking { connection in natsConnection_Close(connection) }
        await callbacks.waitUntilClosed()
    }
}
