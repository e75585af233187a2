import Artifacts
import Bus
import Foundation
import Logging
import Neural
import Proto
import ServiceLifecycle
import ServiceRuntime
import Store

/// The whole life of a job-worker executable (trainer, scorer): configuration from the environment,
/// logging, NATS, PostgreSQL (migrated under its advisory lock) and the artifact store, then one
/// service group of the connection, the rpc server (the health check and any request/reply methods
/// the service answers beside its queue) and the worker until SIGTERM or SIGINT.
///
/// On shutdown the worker stops first (handing its job back), then the rpc server, then the
/// database's connections close and the NATS connection drains. Environment keys are `ServiceConfiguration`'s, `PostgresConfiguration`'s
/// (`ACTIVESEG_POSTGRES_SCHEMA`, `ACTIVESEG_POSTGRES_POOL_SIZE`) and `JobDelivery`'s
/// (`ACTIVESEG_JOB_ACK_WAIT`, `ACTIVESEG_JOB_MAX_ATTEMPTS`).
public enum WorkerEntryPoint {
    /// A worker that answers no rpc method but `Ping`.
    public static func run<Worker: Service>(
        service: String, ping: RPCMethod<HealthPing, HealthPong>,
        build: @Sendable (WorkerEnvironment) -> Worker
    ) async -> Never {
        await run(service: service, ping: ping, responders: { _ in [] }, build: build)
    }

    /// - Parameter responders: the rpc methods the workers answer in the service's queue group
    ///   beside `Ping`, built from the same connections as the worker.
    public static func run<Worker: Service>(
        service: String, ping: RPCMethod<HealthPing, HealthPong>,
        responders: @Sendable (WorkerEnvironment) -> [RPCResponder],
        build: @Sendable (WorkerEnvironment) -> Worker
    ) async -> Never {
        let environment = ProcessInfo.processInfo.environment
        let configuration: ServiceConfiguration
        let postgres: PostgresConfiguration
        let artifacts: ArtifactStore
        let delivery: JobDelivery
        do {
            configuration = try ServiceConfiguration(service: service, environment: environment)
            postgres = try PostgresConfiguration(environment: environment, applicationName: "activeseg-\(service)")
            artifacts = try ArtifactStore(root: URL(fileURLWithPath: configuration.artifactRoot))
            delivery = try JobDelivery(environment: environment)
            // Read by the engine itself, which falls back to every core on a value it cannot use.
            _ = try ServiceConfiguration.positiveInteger(
                "ACTIVESEG_COMPUTE_THREADS", in: environment, unit: "threads",
                maximum: ComputeThreads.maximumCount)
        } catch {
            FileHandle.standardError.write(Data("activeseg-\(service): invalid configuration: \(error)\n".utf8))
            exit(EXIT_FAILURE)
        }
        let logger = ServiceLogging.bootstrap(configuration)
        let store = PostgresClient(configuration: postgres, logger: logger)
        do {
            try await store.migrate()
            let connection = try await BusConnection.connect(configuration.bus, logger: logger)
            let workerEnvironment = WorkerEnvironment(
                configuration: configuration, connection: connection,
                jetStream: try JetStream(connection: connection), store: store,
                artifacts: artifacts, logger: logger, delivery: delivery)
            let worker = build(workerEnvironment)
            let server = RPCServer(
                configuration: configuration, connection: connection, ping: ping,
                responders: responders(workerEnvironment), logger: logger)
            try await ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [
                        .init(service: BusService(connection: connection, logger: logger)), .init(service: store),
                        .init(service: server), .init(service: worker),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            ).run()
        } catch {
            logger.critical("service failed", metadata: ["error": "\(error)"])
            exit(EXIT_FAILURE)
        }
        exit(EXIT_SUCCESS)
    }
}
