import Bus
import Foundation
import Synchronization
import TestSupport
import Testing

/// The connection events seen so far, filled by a task that watches the stream.
final class EventLog: Sendable {
    private let events = Mutex<[ConnectionEvent]>([])

    init(watching stream: AsyncStream<ConnectionEvent>) {
        Task { [self] in
            for await event in stream { events.withLock { $0.append(event) } }
        }
    }

    var all: [ConnectionEvent] { events.withLock { $0 } }

    /// Returns once `event` has been seen `count` times.
    func wait(for event: ConnectionEvent, count: Int = 1) async throws {
        try await within(.seconds(10), "connection event \(event)") { [self] in
            while all.filter({ $0 == event }).count < count {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}

@Suite("Reconnecting after a server restart")
struct ReconnectTests {
    @Test func publishingResumesAfterTheServerRestarts() async throws {
        let server = try PrivateNATSServer()
        try await server.start()
        var configuration = BusConfiguration(servers: [server.url], clientName: "bus-tests-reconnect")
        configuration.reconnectWait = .milliseconds(50)
        configuration.maxReconnectWait = .milliseconds(200)
        configuration.reconnectJitter = .milliseconds(20)
        let connection = try await BusConnection.connect(configuration, logger: BusTestSupport.logger)
        let log = EventLog(watching: connection.events())
        let subject = BusTestSupport.unique("after.restart")
        let subscription = try await connection.subscribe(to: subject)
        try await connection.flush()

        server.stop()
        try await log.wait(for: .disconnected)
        // libnats buffers this while no server is reachable and sends it on reconnect.
        try await connection.publish(Data("while down".utf8), to: subject)

        try await server.start()
        try await log.wait(for: .reconnected)
        try await connection.publish(Data("after restart".utf8), to: subject)
        try await connection.flush()

        #expect(try await subscription.first().payload == Data("while down".utf8))
        #expect(try await subscription.first().payload == Data("after restart".utf8))

        await connection.close()
        try await log.wait(for: .closed)
        #expect(Array(log.all.prefix(2)) == [.disconnected, .reconnected])
        #expect(log.all.last == .closed)
        server.stop()
    }
}
