import ArgumentParser
import Foundation
import Proto

/// `activeseg ping SERVICE`: asks one ActiveSeg service over NATS whether it serves, and which
/// build and which instance answered. Its exit status makes it a container health check: 0 when an
/// instance answered, 69 when none did.
struct PingCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Ask a service whether it answers: its instance, version and uptime.",
        discussion: """
            Sends the service's Ping request on its NATS subject (under ACTIVESEG_SUBJECT_PREFIX); one \
            instance of the service answers. Exit status 0 when one answered, 69 when none did in time. \
            The orchestrator answers only while it leads.
            """)

    /// The services that answer a Ping, as their executables and compose.yaml name them.
    enum Service: String, ExpressibleByArgument, CaseIterable {
        case ingest, orchestrator, selector, stats, trainer, scorer, dashboard

        var ping: RPCMethod<HealthPing, HealthPong> {
            switch self {
            case .ingest: IngestRPC.ping
            case .orchestrator: OrchestratorRPC.ping
            case .selector: SelectorRPC.ping
            case .stats: StatsRPC.ping
            case .trainer: TrainerRPC.ping
            case .scorer: ScorerRPC.ping
            case .dashboard: DashboardRPC.ping
            }
        }
    }

    @Argument(help: "The service to ask.")
    var service: Service

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 5

    @Flag(help: "Print the answer as JSON.")
    var json = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite else {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
    }

    func run(in context: CommandContext) async throws {
        let (method, wait) = (service.ping, Duration.milliseconds(Int64(timeout * 1000)))
        let pong = try await ServiceClient.with(context) { client in
            try await client.call(method, HealthPing(), timeout: wait)
        }
        context.output.write(json ? try ExperimentText.json(pong) : Self.text(pong))
    }

    static func text(_ pong: HealthPong) -> String {
        let uptime = Double(pong.uptime.seconds) + Double(pong.uptime.nanos) / 1e9
        return
            "\(pong.service.lowercased()) \(pong.instanceID): version \(pong.version), up \(String(format: "%.1f", uptime)) s\n"
    }
}
