import Foundation
import Testing

/// compose.cluster.yaml over compose.yaml, resolved by docker-compose: three NATS nodes routed to
/// each other with the one configuration file and a JetStream volume each, and every ActiveSeg
/// container pointed at all three with three replicas per stream, its own NATS user kept.
@Suite struct ClusterComposeTests {
    static let urls = "nats://nats:4222,nats://nats-2:4222,nats://nats-3:4222"

    @Test func theOverrideRunsThreeRoutedNodesAndGivesEveryServiceAllOfThem() async throws {
        let cluster = try await ComposeDeployment.resolved(files: ["compose.yaml", "compose.cluster.yaml"])
        let nodes = ["nats", "nats-2", "nats-3"]
        var volumes: Set<String> = []
        for node in nodes {
            let service = try #require(cluster.services[node], "no service \(node)")
            let command = service["command"]?.items?.compactMap(\.string) ?? []
            let routes = command.firstIndex(of: "--routes").map { command[$0 + 1] } ?? ""
            #expect(
                Set(routes.split(separator: ",")) == Set(nodes.filter { $0 != node }.map { "nats://\($0):6222" }),
                "\(node) routes to \(routes)")
            #expect(Array(command.prefix(3)) == ["-c", "/etc/nats/nats.conf", "-js"], "\(node): \(command)")
            let mounts = ComposeDeployment.mounts(of: service)
            #expect(
                mounts.contains { $0.source.hasSuffix("deploy/nats/nats.conf") && $0.target == "/etc/nats/nats.conf" })
            volumes.formUnion(mounts.filter { $0.target == "/data" }.map(\.source))
        }
        #expect(volumes.count == nodes.count, "the nodes share a JetStream volume: \(volumes)")

        let single = try await ComposeDeployment.resolved()
        #expect(!cluster.activesegServices.isEmpty)
        for (name, service) in cluster.activesegServices {
            let environment = service["environment"]
            #expect(environment?["ACTIVESEG_NATS_URL"]?.string == Self.urls, "\(name)")
            #expect(environment?["ACTIVESEG_NATS_REPLICAS"]?.string == "3", "\(name)")
            #expect(environment?["ACTIVESEG_NATS_USER"]?.string == name, "\(name) lost its NATS user")
            #expect(single.services[name]?["environment"]?["ACTIVESEG_NATS_REPLICAS"] == nil, "\(name)")
        }
    }
}
