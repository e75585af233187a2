import Artifacts
import Proto
import ServiceRuntime
@testable import IngestService

extension Deployment {
    /// The ingest service on this deployment's schema, storing the cases it imports in `artifacts`,
    /// as its executable runs it.
    func ingest(artifacts: ArtifactStore) async throws -> RunningGroup {
        let (configuration, connection) = try await connect("ingest", instance: "ingest")
        return RunningGroup(try await buildIngestServer(configuration: configuration, connection: connection,
                                                        postgres: database.client, artifacts: artifacts,
                                                        logger: Self.logger).serviceGroup())
    }

    /// The health responder a trainer or scorer executable serves beside its job worker.
    func workerHealth(_ service: String, ping: RPCMethod<HealthPing, HealthPong>) async throws -> RunningGroup {
        let (configuration, connection) = try await connect(service, instance: service)
        return RunningGroup(RPCServer(configuration: configuration, connection: connection, ping: ping, responders: [],
                                      logger: Self.logger).serviceGroup())
    }

}
