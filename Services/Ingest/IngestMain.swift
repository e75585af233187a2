import ServiceRuntime

/// `activeseg-ingest`: imports datasets into validated, preprocessed cases over NATS request/reply.
/// Configured by the environment (see `ServiceConfiguration`); SIGTERM finishes the imports in hand,
/// then exits.
@main
enum IngestMain {
    static func main() async {
        await ServiceEntryPoint.run(service: "ingest", build: buildIngestServer)
    }
}
