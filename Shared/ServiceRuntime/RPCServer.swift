import Bus
import Logging
import Proto
import ServiceLifecycle

/// Serves a service's rpc methods on a NATS connection: one queue-group subscription per method, so
/// the workers of one service share its requests and any one of them answers each.
///
/// Each method handles up to `configuration.concurrency` requests at once; further requests wait in
/// the subscription's buffer, bounded by `pendingLimits` (default ``PendingLimits/rpc``: 1024
/// requests or 32 MiB per method): a worker holds at most `concurrency + 2` requests of a method
/// beyond that (those being answered, one handed over to the server, one on libnats' delivery
/// thread), and libnats drops the rest, logged as a slow consumer, so their callers see their
/// timeout instead of the worker's memory growing without end. On graceful shutdown the server drains its subscriptions: the NATS
/// server stops routing requests to this worker (the other workers of the queue group take them),
/// and every request it routed here before that, including those still on the wire or inside
/// libnats, is answered before `run` returns. The connection's own drain (see `serviceGroup`) then
/// delivers those replies. A subscription that cannot be drained within the connection's
/// `drainTimeout` is closed, and the requests it still held are dropped (their callers time out).
public struct RPCServer: Service {
    public let configuration: ServiceConfiguration
    public let connection: BusConnection
    /// The methods served, the health check included.
    public let responders: [RPCResponder]
    /// What each method's subscription holds for requests waiting for a free slot.
    public var pendingLimits: PendingLimits = .rpc
    private let logger: Logger

    /// - Parameters:
    ///   - ping: the service block's `Ping` method, answered by `RPCResponder.health`.
    ///   - responders: the service's other methods.
    public init(
        configuration: ServiceConfiguration, connection: BusConnection,
        ping: RPCMethod<HealthPing, HealthPong>, responders: [RPCResponder], logger: Logger
    ) {
        self.configuration = configuration
        self.connection = connection
        self.responders = [RPCResponder.health(ping, instance: configuration.instance)] + responders
        self.logger = logger
    }

    public func run() async throws {
        var subscriptions: [BusSubscription] = []
        for responder in responders {
            let subject = configuration.subject(for: responder.method)
            subscriptions.append(
                try await connection.subscribe(
                    to: subject, queueGroup: configuration.service,
                    pendingLimits: pendingLimits))
        }
        // Requests published from other connections right after `run` starts must find the
        // subscriptions registered on the server.
        try await connection.flush()
        logger.info(
            "serving",
            metadata: [
                "rpc.subjects": "\(subscriptions.map(\.subject).joined(separator: ","))",
                "rpc.queue-group": "\(configuration.service)",
            ])
        let served = subscriptions
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Cancelled once serving has ended without a graceful shutdown.
                do { try await gracefulShutdown() } catch { return }
                await drain(served)
            }
            await withDiscardingTaskGroup { serving in
                for (responder, subscription) in zip(responders, served) {
                    serving.addTask { await serve(responder, on: subscription) }
                }
            }
            group.cancelAll()
        }
        logger.info("stopped serving")
    }

    /// Drains every subscription at once; one that fails to drain is unsubscribed, so that its
    /// sequence, and with it `serve`, still ends.
    private func drain(_ subscriptions: [BusSubscription]) async {
        let timeout = connection.configuration.drainTimeout
        await withDiscardingTaskGroup { group in
            for subscription in subscriptions {
                group.addTask {
                    do {
                        try await subscription.drain(timeout: timeout)
                    } catch {
                        logger.warning(
                            "subscription not drained",
                            metadata: [
                                "rpc.subject": "\(subscription.subject)",
                                "error": "\(error)",
                            ])
                        subscription.unsubscribe()
                    }
                }
            }
        }
    }

    /// Answers the requests of one subscription until it ends, at most `concurrency` at a time. A
    /// request is taken from the subscription only when a slot is free, so waiting requests stay
    /// within the subscription's pending limits.
    private func serve(_ responder: RPCResponder, on subscription: BusSubscription) async {
        let limit = configuration.concurrency
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            var requests = subscription.makeAsyncIterator()
            while true {
                if running == limit {
                    await group.next()
                    running -= 1
                }
                guard let request = await requests.next() else { break }
                running += 1
                group.addTask { await answer(request, with: responder) }
            }
        }
    }

    private func answer(_ request: BusMessage, with responder: RPCResponder) async {
        var logger = self.logger
        logger[metadataKey: "rpc.subject"] = "\(request.subject)"
        guard request.replySubject != nil else {
            logger.notice("request without a reply subject ignored")
            return
        }
        let reply = await responder.reply(to: request.payload, logger: logger)
        do {
            try await connection.reply(to: request, with: reply.payload, headers: reply.headers)
        } catch {
            logger.warning("reply not sent", metadata: ["error": "\(error)"])
        }
    }
}

extension RPCServer {
    /// The server and its connection as one `ServiceGroup`, the whole of a request/reply service:
    /// SIGTERM or SIGINT stops the server (it finishes the requests it holds), then drains the
    /// connection so the last replies reach the server before the process exits.
    public func serviceGroup() -> ServiceGroup {
        ServiceGroup.service(connection: connection, running: [self], logger: logger)
    }
}

extension RPCServer: CustomStringConvertible {
    /// Names the service and its subjects; the configuration's credentials stay out of log lines.
    public var description: String {
        let subjects = responders.map { configuration.subject(for: $0.method) }.joined(separator: ", ")
        return "RPCServer(\(configuration.service), instance \(configuration.instance): \(subjects))"
    }
}
