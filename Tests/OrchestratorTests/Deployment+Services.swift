import Artifacts
import Bus
import Proto
import ServiceLifecycle
import ServiceRuntime
import WorkerSupport

@testable import IngestService
@testable import ScorerService
@testable import TrainerService

extension Deployment {
    /// The ingest service on this deployment's schema, storing the cases it imports in `artifacts`,
    /// as its executable runs it.
    func ingest(artifacts: ArtifactStore) async throws -> RunningGroup {
        let (configuration, connection) = try await connect("ingest", instance: "ingest")
        return RunningGroup(
            try await buildIngestServer(
                configuration: configuration, connection: connection,
                postgres: database.client, artifacts: artifacts,
                logger: Self.logger
            ).serviceGroup())
    }

    /// The rpc server a trainer or scorer executable serves beside its job worker: `Ping`, and the
    /// `responders` of the service's other request/reply methods.
    func workerHealth(
        _ service: String, ping: RPCMethod<HealthPing, HealthPong>, responders: [RPCResponder] = []
    ) async throws -> RunningGroup {
        let (configuration, connection) = try await connect(service, instance: service)
        return RunningGroup(
            RPCServer(
                configuration: configuration, connection: connection, ping: ping, responders: responders,
                logger: Self.logger
            ).serviceGroup())
    }

    /// The scorer executable's request/reply methods beside `Ping`, reading the cases from `artifacts`.
    func scorerResponders(artifacts: ArtifactStore) -> [RPCResponder] {
        [OverlayDrawing(loader: CaseLoader(store: database.client, artifacts: artifacts)).responder]
    }

    /// A real trainer (instance `trainer`) or scorer (any other instance) worker as its executable
    /// runs it, on a connection of its own, reading the cases from `artifacts`.
    func worker(_ instance: String, artifacts: ArtifactStore) async throws -> RunningGroup {
        let service = instance == "trainer" ? "trainer" : "scorer"
        let (configuration, connection) = try await connect(service, instance: instance)
        let environment = WorkerEnvironment(
            configuration: configuration, connection: connection,
            jetStream: try JetStream(connection: connection), store: database.client,
            artifacts: artifacts, logger: Self.logger)
        let worker: any Service =
            service == "trainer"
            ? JobWorker(
                queue: environment.queue(TrainerRPC.train),
                handler: TrainJobHandler(
                    loader: environment.loader, jobs: environment.jobs,
                    progress: ProgressPublisher(
                        connection: connection,
                        configuration: configuration)),
                logger: Self.logger)
            : JobWorker(
                queue: environment.queue(ScorerRPC.score),
                handler: ScoreJobHandler(loader: environment.loader, jobs: environment.jobs),
                logger: Self.logger)
        return RunningGroup.start([BusService(connection: connection, logger: Self.logger), worker])
    }
}
