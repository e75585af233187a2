import Bus
import Foundation
import Logging
import TestSupport

/// Connections to the local stack's nats-server, named from `ACTIVESEG_NATS_*`, and unique names
/// so tests running in parallel never share a subject or stream.
enum BusTestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "activeseg.bus-tests")
        logger.logLevel = .warning
        return logger
    }()

    static func configuration(_ clientName: String) throws -> BusConfiguration {
        try BusConfiguration(environment: ProcessInfo.processInfo.environment, clientName: "bus-tests-\(clientName)")
    }

    static func connect(_ clientName: String) async throws -> BusConnection {
        try await BusConnection.connect(try configuration(clientName), logger: logger)
    }

    /// A name unique to one test, valid as a subject token and as a stream or consumer name.
    static func unique(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    }

    /// Creates `configuration`'s stream, runs `body`, and deletes the stream even when `body` fails.
    static func withStream<Value>(
        _ configuration: StreamConfiguration, on jetStream: JetStream,
        _ body: () async throws -> Value
    ) async throws -> Value {
        try await jetStream.ensureStream(configuration)
        do {
            let value = try await body()
            try await jetStream.deleteStream(configuration.name)
            return value
        } catch {
            try? await jetStream.deleteStream(configuration.name)
            throw error
        }
    }
}

extension BusSubscription {
    /// The next message, or a `DeadlineExceeded` error after `limit`.
    func first(within limit: Duration = .seconds(10)) async throws -> BusMessage {
        let subscription = self
        return try await within(limit, "a message on \(subject)") {
            for await message in subscription { return message }
            throw DeadlineExceeded(what: "a message on \(subscription.subject) (subscription ended)")
        }
    }
}
