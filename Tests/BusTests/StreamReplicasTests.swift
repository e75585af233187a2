import Bus
import Foundation
import TestSupport
import Testing

/// Streams on a three-node cluster of the test's own: `ensureStream` creates a stream with the
/// configured replica count, raises an existing stream's count, and never lowers it, so a process
/// started without the cluster's setting leaves the other processes' streams as they are.
@Suite("Stream replicas on a NATS cluster")
struct StreamReplicasTests {
    @Test func anExistingStreamIsRaisedToTheConfiguredReplicasAndNeverLowered() async throws {
        let cluster = try PrivateNATSCluster()
        try await cluster.start()
        defer { cluster.stop() }
        let connection = try await BusConnection.connect(
            BusConfiguration(servers: cluster.urls, clientName: "bus-tests-replicas"), logger: BusTestSupport.logger)
        let jetStream = try JetStream(connection: connection)
        var stream = StreamConfiguration(name: "REPLICAS", subjects: ["replicas.>"], retention: .workQueue)

        let created = try await jetStream.ensureStream(stream)
        #expect(created.replicas == 1)
        #expect(created.leader.map { name in cluster.urls.indices.contains { cluster.serverName($0) == name } } == true)
        stream.replicas = 3
        #expect(try await jetStream.ensureStream(stream).replicas == 3)
        // Scaled up, the stream elects a leader among its three replicas; until then nobody answers
        // for it and a request for it times out.
        try await Self.waitForLeader(of: stream.name, on: jetStream)
        stream.replicas = 1
        #expect(try await jetStream.ensureStream(stream).replicas == 3)
        #expect(try await jetStream.streamState(stream.name).replicas == 3)
        await connection.close()
    }

    static func waitForLeader(of stream: String, on jetStream: JetStream) async throws {
        try await within(.seconds(30), "a leader of \(stream)") {
            while (try? await jetStream.streamState(stream).leader) == nil {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
