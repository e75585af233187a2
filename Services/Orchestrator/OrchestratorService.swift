import Bus
import Logging
import Proto
import ServiceLifecycle
import ServiceRuntime
import Store

/// The orchestrator as a long-running `Service`: waits to lead, then serves the rpc methods,
/// reconciles from Postgres and follows the job notices until it stops leading or shuts down;
/// after losing leadership it waits to lead again.
///
/// Only the leader subscribes to the rpc subjects, so every command meets the instance that
/// advances experiments; a standby instance answers nothing until it takes over.
///
/// `database` runs as a service before this one in the same group, so it closes its connections
/// after this service has stopped; the leader lock takes a session of its own with the same
/// configuration.
struct OrchestratorService: Service {
    let configuration: ServiceConfiguration
    let database: PostgresClient
    let connection: BusConnection
    let logger: Logger
    /// The periodic pass over the jobs: republishing, time limits.
    var watch = JobWatch()
    /// The job queues' settings, the same as the workers'.
    var delivery = JobDelivery()
    /// Pause before competing for leadership again after an error.
    var retryDelay: Duration = .seconds(1)

    func run() async throws {
        do {
            try await database.migrate()
            try await cancelWhenGracefulShutdown {
                try await lead()
            }
        } catch is CancellationError {
            return
        }
    }

    private func lead() async throws {
        let jetStream = try JetStream(connection: connection)
        let jobs = JobPublisher(jetStream: jetStream, subjectPrefix: configuration.subjectPrefix, delivery: delivery)
        let eventStream = EventStream(jetStream: jetStream, subjectPrefix: configuration.subjectPrefix)
        let events = RoundEvents(
            stream: eventStream, source: "activeseg-orchestrator/\(configuration.instance)",
            logger: logger)
        let driver = ExperimentDriver(
            database: database,
            rpc: RPCClient(connection: connection, subjectPrefix: configuration.subjectPrefix),
            jobs: jobs, events: events, logger: logger, watch: watch)
        let commands = ExperimentCommands(
            database: database, driver: driver, jobs: jobs, events: events, logger: logger)
        let queries = RecordQueries(database: database)
        let notices = ResultNotices(
            jetStream: jetStream, stream: jobs.training.resultsStream, database: database,
            driver: driver, logger: logger, sweepInterval: watch.sweepInterval)
        let gauge = ExperimentGauge(database: database, interval: watch.sweepInterval, logger: logger)
        let lock = LeaderLock(configuration: database.configuration, logger: logger)
        while !Task.isCancelled {
            do {
                try await lock.whileLeading { _ in
                    try await jobs.ensure()
                    try await eventStream.ensure()
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await server(commands, queries).run() }
                        group.addTask { try await gauge.run() }
                        group.addTask {
                            try await driver.reconcile()
                            try await notices.run()
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                // NATS or Postgres failed under the leader: let go and compete for the lock again.
                logger.error("leadership ended by an error; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: retryDelay)
            }
        }
    }

    private func server(_ commands: ExperimentCommands, _ queries: RecordQueries) -> RPCServer {
        RPCServer(
            configuration: configuration, connection: connection, ping: OrchestratorRPC.ping,
            responders: [
                RPCResponder(OrchestratorRPC.create) { request, _ in try await commands.create(request) },
                RPCResponder(OrchestratorRPC.start) { request, _ in try await commands.start(request) },
                RPCResponder(OrchestratorRPC.status) { request, _ in try await commands.status(request) },
                RPCResponder(OrchestratorRPC.advance) { request, _ in try await commands.advance(request) },
                RPCResponder(OrchestratorRPC.cancel) { request, _ in try await commands.cancel(request) },
                RPCResponder(OrchestratorRPC.list) { request, _ in try await commands.list(request) },
                RPCResponder(OrchestratorRPC.compare) { request, _ in try await commands.compare(request) },
                RPCResponder(OrchestratorRPC.evaluations) { request, _ in try await queries.evaluations(request) },
                RPCResponder(OrchestratorRPC.listModels) { request, _ in try await queries.models(request) },
                RPCResponder(OrchestratorRPC.caseHistory) { request, _ in try await queries.caseHistory(request) },
                RPCResponder(OrchestratorRPC.listPicks) { request, _ in try await queries.picks(request) },
            ], logger: logger)
    }
}
