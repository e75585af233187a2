import Bus
import Logging
import Proto
import ServiceRuntime

/// The stats service's methods on `connection`: `Analyze` and `Ping`, in the `stats` queue group.
func buildStatsServer(configuration: ServiceConfiguration, connection: BusConnection, logger: Logger) -> RPCServer {
    let handler = AnalysisHandler()
    return RPCServer(
        configuration: configuration, connection: connection, ping: StatsRPC.ping,
        responders: [
            RPCResponder(StatsRPC.analyze) { request, logger in try handler.analyze(request, logger: logger) }
        ], logger: logger)
}
