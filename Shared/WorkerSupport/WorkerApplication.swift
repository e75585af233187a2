import Artifacts
import Bus
import Foundation
import Neural
import Proto
import ServiceLifecycle
import ServiceRuntime
import Store

/// What a job worker (trainer, scorer) reads beside `ServiceConfiguration`: the database
/// (`PostgresConfiguration`'s keys, e.g. `ACTIVESEG_POSTGRES_SCHEMA`, `ACTIVESEG_POSTGRES_POOL_SIZE`),
/// the artifact store (`ServiceConfiguration.artifactStore()`), the job queues' settings (`JobDelivery`'s
/// `ACTIVESEG_JOB_ACK_WAIT`, `ACTIVESEG_JOB_MAX_ATTEMPTS`), and a check of `ACTIVESEG_COMPUTE_THREADS`.
public struct WorkerSettings: Sendable {
    public var postgres: PostgresConfiguration
    public var artifacts: ArtifactStore
    public var delivery: JobDelivery

    public init(configuration: ServiceConfiguration, environment: [String: String]) throws {
        postgres = try PostgresConfiguration(
            environment: environment, applicationName: "activeseg-\(configuration.service)")
        artifacts = try configuration.artifactStore()
        delivery = try JobDelivery(environment: environment)
        // The engine reads the key itself and would fall back to every core on a value it cannot
        // use; a worker stops instead, so the operator learns of the slip.
        let key = ComputeThreads.environmentKey
        if let text = environment[key], !text.isEmpty, ComputeThreads.count(parsing: text) == nil {
            throw ServiceConfigurationError(
                .invalidValue, key: key,
                detail: "expected a positive number of threads up to \(ComputeThreads.maximumCount), got '\(text)'")
        }
    }
}

extension ServiceApplication where Settings == WorkerSettings {
    /// A job-worker executable (trainer, scorer) of `service`.
    public init(worker service: String) {
        self.init(service: service) { configuration, environment in
            try WorkerSettings(configuration: configuration, environment: environment)
        }
    }

    /// Runs the worker to the end of the process: migrates the database under its advisory lock,
    /// then serves `ping` and `responders` in the service's queue group beside the worker built by
    /// `build`, until SIGTERM or SIGINT. On shutdown the worker stops first (handing its job
    /// back), then the rpc server, then the database's connections close and the NATS connection
    /// drains.
    ///
    /// - Parameter responders: the rpc methods the workers answer in the service's queue group
    ///   beside `Ping`, built from the same connections as the worker.
    public func run<Worker: Service>(
        ping: RPCMethod<HealthPing, HealthPong>,
        responders: @Sendable (WorkerEnvironment) -> [RPCResponder] = { _ in [] },
        build: @Sendable (WorkerEnvironment) -> Worker
    ) async -> Never {
        await run { context in
            let store = PostgresClient(configuration: context.settings.postgres, logger: context.logger)
            try await store.migrate()
            let environment = WorkerEnvironment(
                configuration: context.configuration, connection: context.connection,
                jetStream: try JetStream(connection: context.connection), store: store,
                artifacts: context.settings.artifacts, logger: context.logger,
                delivery: context.settings.delivery)
            let server = RPCServer(
                configuration: context.configuration, connection: context.connection, ping: ping,
                responders: responders(environment), logger: context.logger)
            return [store, server, build(environment)]
        }
    }
}
