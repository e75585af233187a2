import Bus
import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime

/// Reads every experiment event of the deployment into the `EventLog`, from the stream's first
/// stored event on, through a durable JetStream consumer of its own on `ACTIVESEG_EVENTS`.
///
/// The consumer is named after this process and deleted when the dashboard stops, so dashboards
/// never share (and split) one consumer's events; a dashboard killed by a signal leaves it on the
/// server (`nats consumer rm` removes it). The dashboard only reads: it waits for the stream,
/// which the orchestrator and ingest create, so it may start first and needs no right to create or
/// change a stream. When graceful shutdown begins it closes the log, which ends the pages' live
/// streams so the web server can drain.
struct EventFollower: Service {
    let events: EventStream
    let log: EventLog
    let logger: Logger

    /// How long to wait before asking again for a stream that is not there yet.
    static var streamWait: Duration { .seconds(1) }

    func run() async throws {
        guard try await streamExists() else { return }
        let jetStream = events.jetStream
        let durable = "activeseg_dashboard_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await jetStream.ensureConsumer(
            stream: events.name, ConsumerConfiguration(durableName: durable, filterSubject: events.subjects))
        do {
            try await follow(try await jetStream.pullConsumer(stream: events.name, durableName: durable))
        } catch {
            await log.close()
            try? await jetStream.deleteConsumer(stream: events.name, durableName: durable)
            throw error
        }
        await log.close()
        try await jetStream.deleteConsumer(stream: events.name, durableName: durable)
    }

    /// Waits until the events stream exists; false when graceful shutdown came first.
    private func streamExists() async throws -> Bool {
        var reported = false
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                _ = try await events.jetStream.streamState(events.name)
                return true
            } catch {
                if !reported {
                    logger.notice(
                        "waiting for the events stream, which the orchestrator creates",
                        metadata: ["stream": "\(events.name)", "error": "\(error)"])
                    reported = true
                }
            }
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.streamWait) }
        }
        await log.close()
        return false
    }

    private func follow(_ consumer: PullConsumer) async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            for message in try await consumer.fetch(maxMessages: 256, timeout: .seconds(1)) {
                try await message.ack()
                do {
                    if let event = try DashboardEvent(message) { await log.append(event) }
                } catch {
                    logger.warning(
                        "event skipped: its body does not decode",
                        metadata: ["subject": "\(message.subject)", "error": "\(error)"])
                }
            }
        }
    }
}
