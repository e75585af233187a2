import Artifacts
import Bus
import Foundation
import Logging
import Proto
import ServiceRuntime
import Store

/// What ingest reads beside `ServiceConfiguration`: the database, from `ACTIVESEG_POSTGRES_*` as
/// `PostgresConfiguration` documents them, and the artifact store (`ServiceConfiguration.artifactStore()`).
/// `ACTIVESEG_CONCURRENCY` also bounds the cases of one import processed at once.
struct IngestSettings: Sendable {
    var postgres: PostgresConfiguration
    var artifacts: ArtifactStore

    init(configuration: ServiceConfiguration, environment: [String: String]) throws {
        postgres = try PostgresConfiguration(environment: environment, applicationName: "activeseg-ingest")
        artifacts = try configuration.artifactStore()
    }
}

/// The ingest server on a migrated database: ensures the events stream, and serves `Ingest`,
/// `ListCases`, `ImportLabels` and `Ping` in the `ingest` queue group (tests pass an isolated
/// schema and artifact root).
func buildIngestServer(
    configuration: ServiceConfiguration, connection: BusConnection, postgres: PostgresClient, artifacts: ArtifactStore,
    logger: Logger
) async throws -> RPCServer {
    let events = EventStream(
        jetStream: try JetStream(connection: connection), subjectPrefix: configuration.subjectPrefix)
    try await events.ensure()
    let handler = IngestHandler(
        database: postgres, artifacts: artifacts, events: events, concurrency: configuration.concurrency)
    let catalog = CaseCatalog(database: postgres)
    let labels = LabelImports(
        database: postgres, artifacts: artifacts,
        orchestrator: RPCClient(connection: connection, subjectPrefix: configuration.subjectPrefix))
    return RPCServer(
        configuration: configuration, connection: connection, ping: IngestRPC.ping,
        responders: [
            RPCResponder(IngestRPC.ingest) { request, logger in try await handler.ingest(request, logger: logger) },
            RPCResponder(IngestRPC.listCases) { request, _ in try await catalog.list(request) },
            RPCResponder(IngestRPC.importLabels) { request, logger in
                try await labels.importLabels(request, logger: logger)
            },
        ], logger: logger)
}
