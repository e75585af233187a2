import Bus
import Foundation
import ServiceLifecycle
import TestSupport
import Testing

@Suite("Graceful shutdown of the bus service", .tags(.stack), .needsLocalStack)
struct BusServiceTests {
    @Test func gracefulShutdownDeliversWhatWasPublishedThenCloses() async throws {
        let receiver = try await BusTestSupport.connect("drain-receiver")
        let subject = BusTestSupport.unique("drained")
        let received = try await receiver.subscribe(to: subject)
        try await receiver.flush()

        let connection = try await BusTestSupport.connect("drain-service")
        let group = ServiceGroup(
            services: [BusService(connection: connection, logger: BusTestSupport.logger)],
            logger: BusTestSupport.logger)
        let running = Task { try await group.run() }

        // No flush: these sit in libnats' buffers until the drain sends them.
        for index in 0..<500 {
            try await connection.publish(Data(String(index).utf8), to: subject)
        }
        await group.triggerGracefulShutdown()
        try await within(.seconds(15), "the service group to stop") { try await running.value }

        #expect(connection.isClosed)
        await #expect {
            try await connection.publish(Data("too late".utf8), to: subject)
        } throws: { error in
            (error as? BusError)?.code == .connectionClosed
        }

        try await receiver.drain()
        let payloads = try await within(.seconds(10), "the received messages") {
            await received.reduce(into: [String]()) { $0.append(String(decoding: $1.payload, as: UTF8.self)) }
        }
        #expect(payloads == (0..<500).map(String.init))
    }
}
