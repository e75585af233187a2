import Artifacts
import Bus
import Foundation
import Logging
import Proto
import ServiceRuntime
import Store

/// The ingest service from its configuration: migrates the database, opens the artifact store,
/// ensures the events stream, and serves `Ingest`, `ListCases` and `Ping` in the `ingest` queue
/// group.
///
/// `ACTIVESEG_POSTGRES_SCHEMA` and `ACTIVESEG_POSTGRES_POOL_SIZE` are read as `PostgresConfiguration`
/// documents them; `ACTIVESEG_CONCURRENCY` also bounds the cases of one import processed at once.
func buildIngestServer(
    configuration: ServiceConfiguration, connection: BusConnection, logger: Logger
) async throws -> RPCServer {
    let postgres = try PostgresConfiguration(
        environment: ProcessInfo.processInfo.environment, applicationName: "activeseg-ingest")
    let client = PostgresClient(configuration: postgres, logger: logger)
    try await client.migrate()
    let artifacts = try ArtifactStore(root: URL(fileURLWithPath: configuration.artifactRoot, isDirectory: true))
    return try await buildIngestServer(
        configuration: configuration, connection: connection, postgres: client,
        artifacts: artifacts, logger: logger)
}

/// The ingest server on given resources (tests pass an isolated schema and artifact root).
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
    return RPCServer(
        configuration: configuration, connection: connection, ping: IngestRPC.ping,
        responders: [
            RPCResponder(IngestRPC.ingest) { request, logger in try await handler.ingest(request, logger: logger) },
            RPCResponder(IngestRPC.listCases) { request, _ in try await catalog.list(request) },
        ], logger: logger)
}
