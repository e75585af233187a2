import ServiceRuntime

/// `activeseg-stats`: summarises rounds and tests their equivalence with the full-data model, over
/// NATS request/reply. Configured by the environment (see `ServiceConfiguration`); SIGTERM finishes
/// the requests in hand, then exits.
@main
enum StatsMain {
    static func main() async {
        await ServiceApplication(service: "stats").run(server: buildStatsServer)
    }
}
