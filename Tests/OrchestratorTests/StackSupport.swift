import Bus
import Domain
import Foundation
import Logging
import Proto
import ServiceLifecycle
import ServiceRuntime
import Store
import TestSupport

@testable import OrchestratorService
@testable import SelectorService
@testable import StatsService

/// One test's deployment on the local stack (`ACTIVESEG_NATS_*`, `ACTIVESEG_POSTGRES_DSN`): its
/// own Postgres schema and its own subject prefix, so tests running at once share nothing.
struct Deployment: Sendable {
    let database: TestDatabase
    let prefix: String
    /// A NATS server of the test's own (no credentials) in place of the stack's.
    var natsURL: String?

    static let logger: Logger = {
        var logger = Logger(label: "activeseg.orchestrator-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A guard against a hang, generous because the whole suite shares two cores in CI.
    static let timeout: Duration = .seconds(180)

    static func with(_ body: (Deployment) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            let prefix = "orch_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
            try await body(Deployment(database: database, prefix: prefix))
        }
    }

    func configuration(_ service: String, instance: String) throws -> ServiceConfiguration {
        var environment = ProcessInfo.processInfo.environment
        environment["ACTIVESEG_SUBJECT_PREFIX"] = prefix
        environment["ACTIVESEG_INSTANCE"] = instance
        environment["ACTIVESEG_NATS_NAME"] = "orchestrator-tests-\(service)-\(instance)"
        if let natsURL {
            environment["ACTIVESEG_NATS_URL"] = natsURL
            for key in ["ACTIVESEG_NATS_USER", "ACTIVESEG_NATS_PASSWORD", "ACTIVESEG_NATS_TOKEN"] {
                environment[key] = nil
            }
        }
        return try ServiceConfiguration(service: service, environment: environment)
    }

    func connect(_ service: String, instance: String) async throws -> (ServiceConfiguration, BusConnection) {
        let configuration = try configuration(service, instance: instance)
        return (configuration, try await BusConnection.connect(configuration.bus, logger: Self.logger))
    }

    /// A client calling under this deployment's prefix, on its own connection.
    func client() async throws -> RPCClient {
        let (_, connection) = try await connect("client", instance: "client")
        return RPCClient(connection: connection, subjectPrefix: prefix)
    }

    /// An orchestrator instance; `instance` also names its Postgres sessions.
    func orchestrator(_ instance: String, watch: JobWatch = JobWatch()) async throws -> RunningGroup {
        let (configuration, connection) = try await connect("orchestrator", instance: instance)
        var postgres = database.configuration
        postgres.applicationName = instance
        let client = PostgresClient(configuration: postgres, logger: Self.logger)
        let service = OrchestratorService(
            configuration: configuration, database: client, connection: connection,
            logger: Self.logger, watch: watch)
        return RunningGroup.start([BusService(connection: connection, logger: Self.logger), client, service])
    }

    /// The selector and stats services, as their executables run them.
    func selectorAndStats() async throws -> [RunningGroup] {
        let (selectorConfiguration, selectorConnection) = try await connect("selector", instance: "selector")
        let (statsConfiguration, statsConnection) = try await connect("stats", instance: "stats")
        return [
            RunningGroup(
                buildSelectorServer(
                    configuration: selectorConfiguration, connection: selectorConnection,
                    logger: Self.logger
                ).serviceGroup()),
            RunningGroup(
                buildStatsServer(
                    configuration: statsConfiguration, connection: statsConnection,
                    logger: Self.logger
                ).serviceGroup()),
        ]
    }

    /// Trainer and scorer workers on the real job queues whose handlers write results as the
    /// trainer and scorer do (see `ResultWriters`).
    func workers(datasetID: DatasetID, flatReference: Bool = false) async throws -> RunningGroup {
        let (configuration, connection) = try await connect("workers", instance: "workers")
        let jetStream = try JetStream(connection: connection)
        let training = JobQueue(TrainerRPC.train, jetStream: jetStream, subjectPrefix: configuration.subjectPrefix)
        let scoring = JobQueue(ScorerRPC.score, jetStream: jetStream, subjectPrefix: configuration.subjectPrefix)
        let client = database.client
        return RunningGroup.start([
            BusService(connection: connection, logger: Self.logger),
            JobWorker(
                queue: training, handler: TrainingResultWriter(database: client, datasetID: datasetID),
                fetchTimeout: .milliseconds(200), logger: Self.logger),
            JobWorker(
                queue: scoring,
                handler: ScoringResultWriter(
                    database: client, datasetID: datasetID,
                    flatReference: flatReference),
                concurrency: 2, fetchTimeout: .milliseconds(200), logger: Self.logger),
        ])
    }

    /// Waits until a worker of the service answers `ping`: a service group runs in a task of its
    /// own, so it subscribes some time after it is started.
    func waitUntilServing(_ client: RPCClient, _ ping: RPCMethod<HealthPing, HealthPong>) async throws {
        _ = try await within(Self.timeout, "\(ping.service) to serve") {
            while true {
                if let pong = try? await client.call(ping, HealthPing(), timeout: .seconds(2)) { return pong }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Creates the experiment as soon as an orchestrator leads; until then nothing answers.
    func createWhenLeading(
        _ client: RPCClient, _ experimentID: String, spec: ExperimentSpec
    ) async throws
        -> ExperimentStatus
    {
        let request = CreateExperimentRequest.with {
            $0.experimentID = experimentID
            $0.spec = spec
        }
        return try await within(Self.timeout, "the orchestrator to lead") {
            while true {
                if let status = try? await client.call(OrchestratorRPC.create, request, timeout: .seconds(2)) {
                    return status
                }
            }
        }
    }

    /// Asks `client` for the experiment's status until `done` holds.
    func waitForStatus(
        _ client: RPCClient, _ experimentID: String, _ what: String,
        until done: @escaping @Sendable (ExperimentStatus) -> Bool
    ) async throws -> ExperimentStatus {
        try await within(Self.timeout, what) {
            while true {
                if let status = try? await client.call(
                    OrchestratorRPC.status,
                    .with { $0.experimentID = experimentID }, timeout: .seconds(5)),
                    done(status)
                {
                    return status
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}

/// A service group running in a task, as an executable runs it.
struct RunningGroup: Sendable {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    init(_ group: ServiceGroup) {
        self.group = group
        task = Task { try await group.run() }
    }

    /// Shutdown stops the services in reverse order, so the bus connection (listed first) drains last.
    static func start(_ services: [any Service]) -> RunningGroup {
        RunningGroup(
            ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: services.map { .init(service: $0) }, gracefulShutdownSignals: [],
                    logger: Deployment.logger)))
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await within(Deployment.timeout, "a service group to stop") { try await task.value }
    }
}
