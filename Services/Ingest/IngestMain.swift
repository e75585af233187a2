import ServiceRuntime
import Store

/// `activeseg-ingest`: imports datasets into validated, preprocessed cases, and a person's labels
/// for the cases a `human`-mode round picked, over NATS request/reply. Label files and dataset
/// sources are read by the paths the requests give, as this process sees them. Configured by the
/// environment (see `ServiceConfiguration` and `IngestSettings`); migrates the database at start;
/// SIGTERM finishes the imports in hand, then closes the database's connections and exits.
@main
enum IngestMain {
    static func main() async {
        let application = ServiceApplication(service: "ingest") { configuration, environment in
            try IngestSettings(configuration: configuration, environment: environment)
        }
        await application.run { context in
            let database = PostgresClient(configuration: context.settings.postgres, logger: context.logger)
            try await database.migrate()
            let server = try await buildIngestServer(
                configuration: context.configuration, connection: context.connection, postgres: database,
                artifacts: context.settings.artifacts, logger: context.logger)
            return [database, server]
        }
    }
}
