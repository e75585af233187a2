import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Serves `GET /metrics`, the process's ``ServiceMetrics`` as Prometheus text, over HTTP.
///
/// A `Service` of the service's group, so it starts before the service's own parts and stops after
/// them: a scrape during shutdown still sees the last jobs settle.
public struct MetricsServer: Service {
    public let configuration: MetricsConfiguration
    private let logger: Logger
    private let onRunning: @Sendable (Int) async -> Void

    /// - Parameter onRunning: called with the port once the server listens (the chosen one when the
    ///   configuration asks for port 0).
    public init(
        _ configuration: MetricsConfiguration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onRunning = onRunning
    }

    public func run() async throws {
        ServiceMetrics.bootstrap()
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: ServiceMetrics.exposition())))
        }
        let (host, logger, onRunning) = (configuration.host, logger, onRunning)
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("serving metrics", metadata: ["metrics.url": "http://\(host):\(port)/metrics"])
                await onRunning(port)
            },
            logger: logger)
        try await application.run()
    }
}
