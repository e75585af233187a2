import Bus
import Foundation
import Proto
import ServiceRuntime
import SwiftProtobuf
import Testing
@testable import SelectorService
@testable import StatsService
import TestSupport

@Suite("Request/reply runtime")
struct RPCServerTests {
    /// Bytes that are no protobuf message: field number 0 is invalid.
    static let notProtobuf = Data([0x00, 0xff, 0xff, 0xff])

    @Test("a malformed request gets an ErrorReply and the next request is served",
          arguments: ["selector", "stats"])
    func malformedRequestThenAGoodOne(service: String) async throws {
        let prefix = ServiceTestSupport.uniquePrefix()
        let configuration = try ServiceTestSupport.configuration(service, prefix: prefix)
        let connection = try await ServiceTestSupport.connect(configuration)
        let (server, subject, ping) = service == "selector"
            ? (buildSelectorServer(configuration: configuration, connection: connection, logger: ServiceTestSupport.logger),
               SelectorRPC.select.subject, SelectorRPC.ping)
            : (buildStatsServer(configuration: configuration, connection: connection, logger: ServiceTestSupport.logger),
               StatsRPC.analyze.subject, StatsRPC.ping)
        let running = try await RunningServer.start(server, ping: ping)
        let client = try await ServiceTestSupport.client(prefix: prefix)

        let reply = try await client.connection.request(Self.notProtobuf, to: "\(prefix).\(subject)", timeout: ServiceTestSupport.timeout)

        #expect(reply.headers["Nats-Service-Error-Code"] == String(ErrorCode.invalidArgument.rawValue))
        let error = try ErrorReply(serializedBytes: reply.payload)
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains(service == "selector" ? "activeseg.v1.SelectRequest" : "activeseg.v1.StatsRequest"))
        if service == "selector" {
            let request = SelectorServiceTests.request(method: .margins, restriction: .none, zScore: false)
            let result = try await client.call(SelectorRPC.select, request, timeout: ServiceTestSupport.timeout)
            #expect(result.pickedCaseIds == (try SelectorServiceTests.libraryPicks(request)))
        } else {
            let result = try await client.call(StatsRPC.analyze, StatsServiceTests.request(test: .paired), timeout: ServiceTestSupport.timeout)
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
            return error.code == .unavailable && cause.code == .noResponders && error.subject.hasSuffix(StatsRPC.ping.subject)
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
        let server = RPCServer(configuration: configuration, connection: connection, ping: SelectorRPC.ping, responders: [
            RPCResponder(SelectorRPC.select) { request, logger in
                startedContinuation.yield()
                for await _ in release { break }
                return try handler.select(request, logger: logger)
            },
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
            try await client.connection.publish(request, to: "\(prefix).\(SelectorRPC.ping.subject)", replyTo: replySubject)
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
}
