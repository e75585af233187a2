import Bus
import Foundation
import Logging
import Proto
import ServiceLifecycle
import ServiceRuntime
import TestSupport

/// Queues and workers on the local stack's NATS server, each test under a subject prefix of its
/// own, so tests running in parallel never take each other's jobs.
enum WorkerTestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "activeseg.worker-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A guard against a hang, generous because the whole suite shares two cores in CI.
    static let timeout: Duration = .seconds(120)

    /// Short enough that a test sees a job come back within seconds of a worker's death.
    static let delivery = JobDelivery(
        ackWait: .seconds(2), maxAttempts: 3, heartbeat: .milliseconds(500), retryDelay: .milliseconds(100))

    static func uniquePrefix() -> String {
        "test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    }

    /// A JetStream context on a connection of its own, as a separate worker process would have.
    static func jetStream(name: String) async throws -> JetStream {
        var configuration = try BusConfiguration(environment: ProcessInfo.processInfo.environment)
        configuration.clientName = "worker-tests-\(name)"
        return try JetStream(connection: try await BusConnection.connect(configuration, logger: logger))
    }

    /// The notices published on `queue`'s result subject, read back through a consumer of their own.
    static func notices<Job, Result>(
        _ queue: JobQueue<Job, Result>, expecting count: Int
    ) async throws
        -> [(id: String, notice: Swift.Result<Result, RPCError>)]
    {
        let durable = "notices_\(UUID().uuidString.prefix(8))"
        try await queue.jetStream.ensureConsumer(
            stream: queue.resultsStream,
            ConsumerConfiguration(durableName: durable, filterSubject: queue.resultSubject))
        let consumer = try await queue.jetStream.pullConsumer(stream: queue.resultsStream, durableName: durable)
        return try await within("\(count) notices") {
            var seen: [(id: String, notice: Swift.Result<Result, RPCError>)] = []
            while seen.count < count {
                for message in try await consumer.fetch(maxMessages: count, timeout: .milliseconds(500)) {
                    seen.append(
                        (
                            message.headers["Nats-Msg-Id"] ?? "",
                            try JobQueue<Job, Result>.decodeNotice(message.payload, headers: message.headers)
                        ))
                    try await message.ack()
                }
            }
            return seen
        }
    }
}

/// A worker's service running in a task, as an executable runs it.
struct RunningWorker {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    static func start(_ service: some Service) -> RunningWorker {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [service], logger: WorkerTestSupport.logger))
        return RunningWorker(group: group, task: Task { try await group.run() })
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await within("the worker to stop") { try await task.value }
    }
}

/// Runs `body`, failing with `DeadlineExceeded` if it takes longer than the suite's guard.
func within<Value: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value
{
    try await within(WorkerTestSupport.timeout, what, body)
}

/// Polls `condition` until it holds (within the suite's guard).
func eventually(_ what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    try await within(what) {
        while try await !condition() { try await Task.sleep(for: .milliseconds(50)) }
    }
}
