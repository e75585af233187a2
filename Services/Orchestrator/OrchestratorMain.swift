import ServiceRuntime
import Store

/// `activeseg-orchestrator`: owns experiments and advances their rounds. Configured by the
/// environment (see `ServiceConfiguration` and `OrchestratorSettings`); any number may run, one
/// leads (a Postgres advisory lock) and the others wait to take over.
@main
enum OrchestratorMain {
    static func main() async {
        let application = ServiceApplication(service: "orchestrator") { _, environment in
            try OrchestratorSettings(environment: environment)
        }
        await application.run { context in
            let database = PostgresClient(configuration: context.settings.postgres, logger: context.logger)
            return [
                database,
                OrchestratorService(
                    configuration: context.configuration, database: database,
                    connection: context.connection, logger: context.logger,
                    watch: context.settings.watch, delivery: context.settings.delivery),
            ]
        }
    }
}

/// What the orchestrator reads beside `ServiceConfiguration`: the database (`PostgresConfiguration`),
/// the periodic pass over the jobs (`JobWatch`) and the job queues' settings (`JobDelivery`, as the
/// workers read it).
struct OrchestratorSettings: Sendable {
    var postgres: PostgresConfiguration
    var watch: JobWatch
    var delivery: JobDelivery

    init(environment: [String: String]) throws {
        postgres = try PostgresConfiguration(environment: environment, applicationName: "activeseg-orchestrator")
        watch = try JobWatch(environment: environment)
        delivery = try JobDelivery(environment: environment)
    }
}
