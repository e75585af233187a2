import Logging
import ServiceLifecycle

/// Owns a service's NATS connection for the length of a `ServiceGroup` run and drains it on
/// graceful shutdown, so messages already received are handled and publishes already made
/// reach the server before the process exits.
///
/// A `ServiceGroup` shuts services down in reverse order, so place this service first: the
/// services that publish and subscribe stop before the connection drains under them.
/// On cancellation (no graceful shutdown) the connection is closed at once instead.
public struct BusService: Service {
    public let connection: BusConnection
    private let logger: Logger

    public init(connection: BusConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch is CancellationError {
            await connection.close()
            return
        }
        logger.info("draining NATS connection", metadata: ["nats.client": "\(connection.configuration.clientName)"])
        try await connection.drain()
    }
}
