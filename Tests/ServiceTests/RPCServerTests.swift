import Bus
import Foundation
import Proto
import ServiceRuntime
import SwiftProtobuf
import Synchronization
import TestSupport
import Testing

@testable import SelectorService
@testable import StatsService

@Suite("Request/reply runtime", .tags(.stack), .needsLocalStack)
struct RPCServerTests {
    /// Bytes that are no protobuf message: field number 0 is invalid.
    static let notProtobuf = Data([0x00, 0xff, 0xff, 0xff])

    @Test(
        "a malformed request gets an ErrorReply and the next request is served",
        arguments: ["selector", "stats"])
    func malformedRequestThenAGoodOne(service: String) async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let configuration = try ServiceTestSupport.configuration(service, prefix: prefix)
        let connection = try await ServiceTestSupport.connect(configuration)
        let (server, subject, ping) =
            service == "selector"
            ? (
                buildSelectorServer(
                    configuration: configuration, connection: connection, logger: ServiceTestSupport.logger),
                SelectorRPC.select.subject, SelectorRPC.ping
            )
            : (
                buildStatsServer(
                    configuration: configuration, connection: connection, logger: ServiceTestSupport.logger),
                StatsRPC.analyze.subject, StatsRPC.ping
            )
        let running = try await RunningServer.start(server, ping: ping)
        let client = try await ServiceTestSupport.client(prefix: prefix)

        let reply = try await client.connection.request(
            Self.notProtobuf, to: "\(prefix).\(subject)", timeout: ServiceTestSupport.timeout)

        #expect(reply.headers["Nats-Service-Error-Code"] == String(ErrorCode.invalidArgument.rawValue))
        let error = try ErrorReply(serializedBytes: reply.payload)
        #expect(error.code == .invalidArgument)
        #expect(
            error.message.contains(service == "selector" ? "activeseg.v1.SelectRequest" : "activeseg.v1.StatsRequest"))
        if service == "selector" {
            let request = SelectorServiceTests.request(method: .margins, restriction: .none, zScore: false)
            let result = try await client.call(SelectorRPC.select, request, timeout: ServiceTestSupport.timeout)
            #expect(result.pickedCaseIds == (try SelectorServiceTests.libraryPicks(request)))
        } else {
            let result = try await client.call(
                StatsRPC.analyze, StatsServiceTests.request(test: .paired), timeout: ServiceTestSupport.timeout)
            #expect(result.rounds.count == 4)
        }
        try await running.stop()
        await client.connection.close()
    }

    @Test func pingAnswersWithVersionAndUptime() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let running = try await SelectorServiceTests.startSelector(prefix: prefix, instance: "pinged")
        let client = try await ServiceTestSupport.client(prefix: prefix)

        let first = try await client.call(SelectorRPC.ping, HealthPing(), timeout: ServiceTestSupport.timeout)
        let second = try await client.call(SelectorRPC.ping, HealthPing(), timeout: ServiceTestSupport.timeout)

        #expect(first.service == "Selector")
        #expect(first.instanceID == "pinged")
        #expect(first.version == ProductVersion.current)
        #expect(first.hasUptime)
        let uptime = { (pong: HealthPong) in Double(pong.uptime.seconds) + Double(pong.uptime.nanos) / 1e9 }
        #expect(uptime(first) > 0)
        #expect(uptime(second) > uptime(first))
        try await running.stop()
        await client.connection.close()
    }

    @Test func callsWithoutAWorkerFailAsUnavailable() async throws {
        let client = try await ServiceTestSupport.client(prefix: ServiceTestSupport.uniquePrefix())

        await #expect {
            _ = try await client.call(StatsRPC.ping, HealthPing(), timeout: ServiceTestSupport.timeout)
        } throws: { error in
            guard let error = error as? RPCError, let cause = error.cause as? BusError else { return false }
            return error.code == .unavailable && cause.code == .noResponders
                && error.subject.hasSuffix(StatsRPC.ping.subject)
        }
        await client.connection.close()
    }

    /// A request taken before SIGTERM is answered, even though the server stops subscribing and the
    /// connection drains while the handler still runs.
    @Test func gracefulShutdownAnswersTheRequestInFlight() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let configuration = try ServiceTestSupport.configuration("selector", prefix: prefix)
        let connection = try await ServiceTestSupport.connect(configuration)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
        let handler = SelectionHandler()
        let server = RPCServer(
            configuration: configuration, connection: connection, ping: SelectorRPC.ping,
            responders: [
                RPCResponder(SelectorRPC.select) { request, logger in
                    startedContinuation.yield()
                    for await _ in release { break }
                    return try handler.select(request, logger: logger)
                }
            ], logger: ServiceTestSupport.logger)
        let running = try await RunningServer.start(server, ping: SelectorRPC.ping)
        let client = try await ServiceTestSupport.client(prefix: prefix)
        let request = SelectorServiceTests.request(method: .bootstrap, restriction: .nonSimilar, zScore: false)

        let inFlight = Task { try await client.call(SelectorRPC.select, request, timeout: ServiceTestSupport.timeout) }
        try await within(ServiceTestSupport.timeout, "the handler to start") { for await _ in started { return } }
        let stopped = Task { try await running.stop() }
        // Once the worker has unsubscribed, nobody answers pings: the shutdown is under way.
        try await within(ServiceTestSupport.timeout, "the worker to unsubscribe") {
            while true {
                do {
                    _ = try await client.call(SelectorRPC.ping, HealthPing(), timeout: .seconds(1))
                } catch let error as RPCError where error.code == .unavailable {
                    return
                } catch {
                    // A reply slower than the probe's timeout says nothing about the shutdown.
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        releaseContinuation.yield()

        let result = try await inFlight.value
        try await stopped.value
        #expect(result.pickedCaseIds == (try SelectorServiceTests.libraryPicks(request)))
        #expect(connection.isClosed)
        await client.connection.close()
    }

    /// Requests the NATS server holds for a worker when its shutdown starts (on the wire, inside
    /// libnats or in the worker's buffer) are all answered: the worker drains its subscriptions.
    @Test func gracefulShutdownAnswersEveryRequestSentBeforeIt() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let running = try await SelectorServiceTests.startSelector(prefix: prefix, instance: "draining")
        let client = try await ServiceTestSupport.client(prefix: prefix)
        let replySubject = "\(prefix).replies"
        let replies = try await client.connection.subscribe(to: replySubject)
        try await client.connection.flush()
        let count = 500
        let request = try HealthPing().serializedData()

        for _ in 0..<count {
            try await client.connection.publish(
                request, to: "\(prefix).\(SelectorRPC.ping.subject)", replyTo: replySubject)
        }
        // The server has every request before the shutdown starts.
        try await client.connection.flush()
        try await running.stop()

        let answered = try await within(ServiceTestSupport.timeout, "\(count) replies") {
            var answered = 0
            for await reply in replies {
                if (try? HealthPong(serializedBytes: reply.payload))?.instanceID == "draining" { answered += 1 }
                if answered == count { break }
            }
            return answered
        }
        #expect(answered == count)
        await client.connection.close()
    }

    /// A busy worker holds a bounded backlog of requests, not an unbounded one: with its only slot
    /// taken and pending limits of 8 requests, a flood of 40 leaves it holding at most 8 + 3 (one
    /// handed over to the server, one on libnats' delivery thread, the one in hand); libnats drops
    /// the rest, and once the slot frees the worker answers what it held and serves on.
    @Test func requestsBeyondThePendingLimitsAreDropped() async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        var configuration = try ServiceTestSupport.configuration("selector", prefix: prefix)
        configuration.concurrency = 1
        let connection = try await ServiceTestSupport.connect(configuration)
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let gate = Gate()
        var server = RPCServer(
            configuration: configuration, connection: connection, ping: SelectorRPC.ping,
            responders: [
                RPCResponder(SelectorRPC.select) { _, _ in
                    startedContinuation.yield()
                    await gate.wait()
                    return SelectResult()
                }
            ], logger: ServiceTestSupport.logger)
        let limit = 8
        server.pendingLimits = PendingLimits(messages: limit, bytes: 1 << 20)
        let running = try await RunningServer.start(server, ping: SelectorRPC.ping)
        let client = try await ServiceTestSupport.client(prefix: prefix)
        let replySubject = "\(prefix).replies"
        let replies = try await client.connection.subscribe(to: replySubject)
        try await client.connection.flush()
        let subject = "\(prefix).\(SelectorRPC.select.subject)"
        let request = try SelectRequest().serializedData()

        try await client.connection.publish(request, to: subject, replyTo: replySubject)
        try await within(ServiceTestSupport.timeout, "the handler to start") { for await _ in started { return } }
        let flood = 40
        for _ in 1..<flood {
            try await client.connection.publish(request, to: subject, replyTo: replySubject)
        }
        // The NATS server has routed every request to the worker, and the worker's PONG comes after
        // them: libnats has queued or dropped each one before this returns.
        try await client.connection.flush()
        try await connection.flush()
        await gate.open()

        // Replies come within milliseconds of each other; two quiet seconds after the first `limit`
        // mean the last one is in.
        let count = ReplyCount()
        let counting = Task { for await _ in replies { count.add() } }
        try await within(ServiceTestSupport.timeout, "the held requests' replies") {
            while count.value < limit { try await Task.sleep(for: .milliseconds(50)) }
            var seen = -1
            while count.value != seen {
                seen = count.value
                try await Task.sleep(for: .seconds(2))
            }
        }
        counting.cancel()
        let answered = count.value
        #expect(answered >= limit && answered <= limit + 3, "\(answered) of \(flood) answered")
        _ = try await client.call(SelectorRPC.ping, HealthPing(), timeout: ServiceTestSupport.timeout)
        try await running.stop()
        await client.connection.close()
    }
}

/// Replies counted as they arrive.
final class ReplyCount: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func add() { count.withLock { $0 += 1 } }
}

/// Closed until `open`; `wait` returns once it is open.
actor Gate {
    private var isOpen = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiting { waiter.resume() }
        waiting = []
    }
}
