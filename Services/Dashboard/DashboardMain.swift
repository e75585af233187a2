import Artifacts
import Bus
import Foundation
import Hummingbird
import Logging
import Proto
import ServiceRuntime

/// `activeseg-dashboard`: live, read-only web pages of the experiments (see docs/dashboard.md).
///
/// Its parts, in the order they start: its `Ping` over NATS (health checks, as every service
/// answers one), the web server, then the `EventFollower` that reads the
/// events stream into the `EventLog` the pages and their live streams read. On SIGTERM the
/// follower stops first and closes the log, which ends the open event streams, so the web server
/// then drains without waiting on a browser.
@main
enum DashboardMain {
    static func main() async {
        await ServiceApplication<DashboardSettings>(service: "dashboard") { _, environment in
            try DashboardSettings(environment: environment)
        }.run { context in
            let client = RPCClient(connection: context.connection, subjectPrefix: context.configuration.subjectPrefix)
            let events = EventStream(
                jetStream: try JetStream(connection: context.connection),
                subjectPrefix: context.configuration.subjectPrefix)
            let settings = context.settings
            let logger = context.logger
            let log = EventLog(limit: settings.eventLimit)
            let pictures = PickPictures(
                client: client,
                artifacts: try context.configuration.artifactStore(),
                capacity: settings.pictureLimit)
            let server = Application(
                router: DashboardRoutes.router(
                    queries: DashboardQueries(client: client, log: log), pictures: pictures, live: LiveStream(log: log),
                    token: settings.token),
                configuration: ApplicationConfiguration(
                    address: .hostname(settings.host, port: settings.port), serverName: "activeseg-dashboard"),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? settings.port
                    logger.info(
                        "dashboard listening",
                        metadata: [
                            "url": "http://\(settings.host):\(port)/",
                            "token": "\(settings.token == nil ? "none" : "required")",
                        ])
                },
                logger: logger)
            let health = RPCServer(
                configuration: context.configuration, connection: context.connection, ping: DashboardRPC.ping,
                responders: [], logger: logger)
            return [health, server, EventFollower(events: events, log: log, logger: logger)]
        }
    }
}
