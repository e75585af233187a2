import Bus
import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime
import Store

/// `activeseg-orchestrator`: owns experiments and advances their rounds. Configured by the
/// environment (see `ServiceConfiguration`, `PostgresConfiguration` for the database, `JobWatch`
/// for the periodic pass over the jobs and `JobDelivery` for the queues, as the workers read it);
/// any number may run, one leads (a Postgres advisory lock) and the others wait to take over.
/// `ACTIVESEG_ARTIFACT_ROOT` must be the artifact store the workers read: labels imported for
/// `human`-mode experiments are preprocessed and stored there, from label files and dataset
/// sources the orchestrator reads itself.
@main
enum OrchestratorMain {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let configuration: ServiceConfiguration
        let postgres: PostgresConfiguration
        let watch: JobWatch
        let delivery: JobDelivery
        do {
            configuration = try ServiceConfiguration(service: "orchestrator", environment: environment)
            postgres = try PostgresConfiguration(environment: environment, applicationName: "activeseg-orchestrator")
            watch = try JobWatch(environment: environment)
            delivery = try JobDelivery(environment: environment)
        } catch {
            FileHandle.standardError.write(Data("activeseg-orchestrator: invalid configuration: \(error)\n".utf8))
            exit(EXIT_FAILURE)
        }
        let logger = ServiceLogging.bootstrap(configuration)
        do {
            let connection = try await BusConnection.connect(configuration.bus, logger: logger)
            let database = PostgresClient(configuration: postgres, logger: logger)
            let orchestrator = OrchestratorService(
                configuration: configuration, database: database,
                connection: connection, logger: logger, watch: watch,
                delivery: delivery)
            try await ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [
                        .init(service: BusService(connection: connection, logger: logger)),
                        .init(service: database), .init(service: orchestrator),
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
