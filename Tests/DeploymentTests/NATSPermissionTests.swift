import Bus
import Foundation
import Logging
import Proto
import ServiceRuntime
import SwiftProtobuf
import TestSupport
import Testing

/// deploy/nats/nats.conf, run by a real nats-server: every service's user can do what that service
/// does (serve its rpc methods, answer its health check, call the services it calls, run its job
/// queue and streams), and no more.
@Suite(.serialized) struct NATSPermissionTests {
    /// Each service's Ping, the subject of the health check compose runs in its container.
    static let pings: [String: RPCMethod<HealthPing, HealthPong>] = [
        "ingest": IngestRPC.ping, "trainer": TrainerRPC.ping, "scorer": ScorerRPC.ping,
        "selector": SelectorRPC.ping, "stats": StatsRPC.ping, "orchestrator": OrchestratorRPC.ping,
        "dashboard": DashboardRPC.ping,
    ]

    /// The rpc methods one service calls on another, beside the command line's calls.
    static func responders(of service: String) -> [RPCResponder] {
        switch service {
        case "orchestrator":
            [
                answering(OrchestratorRPC.advance), answering(OrchestratorRPC.status), answering(OrchestratorRPC.list),
                answering(OrchestratorRPC.compare), answering(OrchestratorRPC.evaluations),
                answering(OrchestratorRPC.listPicks), answering(OrchestratorRPC.listModels),
            ]
        case "selector": [answering(SelectorRPC.select)]
        case "stats": [answering(StatsRPC.analyze)]
        case "scorer": [answering(ScorerRPC.drawOverlay)]
        case "ingest": [answering(IngestRPC.listCases)]
        default: []
        }
    }

    static func answering<Request, Response>(_ method: RPCMethod<Request, Response>) -> RPCResponder {
        RPCResponder(method) { _, _ in Response() }
    }

    @Test func everyServiceServesItsMethodsAndAnswersItsHealthCheckAndCallsWhatItCalls() async throws {
        let nats = try await DeploymentNATS()
        var connections: [String: BusConnection] = [:]
        for user in DeploymentNATS.users { connections[user] = try await nats.connect(as: user) }
        let servers = Self.pings.map { service, ping in
            var configuration = ServiceConfiguration(service: service)
            configuration.bus = nats.configuration(of: service)
            return RPCServer(
                configuration: configuration, connection: connections[service]!, ping: ping,
                responders: Self.responders(of: service), logger: DeploymentNATS.logger)
        }
        let running = RunningServices(servers)
        for (service, ping) in Self.pings {
            // The health check: `activeseg ping <service>` with the container's own credentials.
            let own = RPCClient(connection: connections[service]!)
            _ = try await within(.seconds(30), "\(service) answering its own ping") {
                try await Self.eventually { try await own.call(ping, HealthPing(), timeout: .seconds(1)) }
            }
            let cli = RPCClient(connection: connections["cli"]!)
            _ = try await cli.call(ping, HealthPing(), timeout: .seconds(5))
        }
        let orchestrator = RPCClient(connection: connections["orchestrator"]!)
        _ = try await orchestrator.call(SelectorRPC.select, SelectRequest(), timeout: .seconds(5))
        _ = try await orchestrator.call(StatsRPC.analyze, StatsRequest(), timeout: .seconds(5))
        let ingest = RPCClient(connection: connections["ingest"]!)
        _ = try await ingest.call(OrchestratorRPC.advance, AdvanceExperimentRequest(), timeout: .seconds(5))
        // The dashboard's views, and the pictures of picks it has the scorer draw.
        let dashboard = RPCClient(connection: connections["dashboard"]!)
        _ = try await dashboard.call(OrchestratorRPC.list, ListExperimentsRequest(), timeout: .seconds(5))
        _ = try await dashboard.call(OrchestratorRPC.status, ExperimentStatusRequest(), timeout: .seconds(5))
        _ = try await dashboard.call(OrchestratorRPC.compare, CompareExperimentsRequest(), timeout: .seconds(5))
        _ = try await dashboard.call(OrchestratorRPC.evaluations, EvaluationsRequest(), timeout: .seconds(5))
        _ = try await dashboard.call(OrchestratorRPC.listPicks, ListPicksRequest(), timeout: .seconds(5))
        _ = try await dashboard.call(OrchestratorRPC.listModels, ListModelsRequest(), timeout: .seconds(5))
        _ = try await dashboard.call(ScorerRPC.drawOverlay, OverlayRequest(), timeout: .seconds(5))
        let cli = RPCClient(connection: connections["cli"]!)
        _ = try await cli.call(ScorerRPC.drawOverlay, OverlayRequest(), timeout: .seconds(5))
        _ = try await cli.call(OrchestratorRPC.status, ExperimentStatusRequest(), timeout: .seconds(5))
        _ = try await cli.call(IngestRPC.listCases, ListCasesRequest(), timeout: .seconds(5))
        try await running.stop()
        for connection in connections.values { await connection.close() }
        #expect(nats.violations.isEmpty, "refused: \(nats.violations)")
    }

    /// The orchestrator queues a train and a score job and publishes a round event; the trainer and
    /// scorer create their streams and consumers, work the jobs and announce the results, which the
    /// orchestrator reads back; ingest publishes a case event and the trainer its progress, and the
    /// command line follows the event stream as `events tail` does.
    @Test func jobsAndEventsMakeTheRoundTripWithEachServicesOwnCredentials() async throws {
        let nats = try await DeploymentNATS()
        // Heartbeats several times per job: a worker acknowledges each delivery more than once.
        let delivery = JobDelivery(ackWait: .seconds(10), heartbeat: .milliseconds(100))
        func jetStream(_ user: String) async throws -> JetStream {
            try JetStream(connection: try await nats.connect(as: user))
        }
        let orchestrator = try await jetStream("orchestrator")
        let training = JobQueue(TrainerRPC.train, jetStream: orchestrator, subjectPrefix: "", delivery: delivery)
        let scoring = JobQueue(ScorerRPC.score, jetStream: orchestrator, subjectPrefix: "", delivery: delivery)
        try await training.ensure()
        try await scoring.ensure()
        let orchestratorEvents = EventStream(jetStream: orchestrator, subjectPrefix: "")
        try await orchestratorEvents.ensure()
        try await training.submit(TrainJob.with { $0.jobID = "train-1" }, id: "train-1")
        try await scoring.submit(ScoreJob.with { $0.jobID = "score-1" }, id: "score-1")
        try await orchestratorEvents.publish(RoundStarted(), scope: "experiment-1", id: "round-1", source: "tests")

        let trainer = try await jetStream("trainer")
        let scorer = try await jetStream("scorer")
        let workers = RunningServices([
            JobWorker(
                queue: JobQueue(TrainerRPC.train, jetStream: trainer, subjectPrefix: "", delivery: delivery),
                handler: FinishingHandler<TrainJob, TrainResult>(), logger: DeploymentNATS.logger),
            JobWorker(
                queue: JobQueue(ScorerRPC.score, jetStream: scorer, subjectPrefix: "", delivery: delivery),
                handler: FinishingHandler<ScoreJob, ScoreResult>(), logger: DeploymentNATS.logger),
        ])
        try await trainer.connection.publish(
            Data(), to: try EventSubject.subject(for: TrainProgress.self, scope: "experiment-1"))
        try await trainer.connection.flush()

        try await orchestrator.ensureConsumer(
            stream: training.resultsStream,
            ConsumerConfiguration(durableName: "orchestrator", ackWait: .seconds(60)))
        let notices = try await orchestrator.pullConsumer(stream: training.resultsStream, durableName: "orchestrator")
        let announced = try await within(.seconds(60), "the two results") {
            var subjects: Set<String> = []
            while subjects.count < 2 {
                for message in try await notices.fetch(maxMessages: 2, timeout: .milliseconds(500)) {
                    subjects.insert(message.subject)
                    try await message.ack()
                }
            }
            return subjects
        }
        #expect(announced == [training.resultSubject, scoring.resultSubject])
        try await workers.stop()

        let ingestEvents = EventStream(jetStream: try await jetStream("ingest"), subjectPrefix: "")
        try await ingestEvents.ensure()
        try await ingestEvents.publish(CaseIngested(), scope: "dataset-1", id: "case-1", source: "tests")

        // `events tail` and the dashboard: a consumer of its own on the event stream, read, then deleted.
        for user in ["cli", "dashboard"] {
            let reader = EventStream(jetStream: try await jetStream(user), subjectPrefix: "")
            let durable = "activeseg_\(user)_test"
            #expect(try await reader.jetStream.streamState(reader.name).messages == 3)
            try await reader.jetStream.ensureConsumer(
                stream: reader.name, ConsumerConfiguration(durableName: durable, filterSubject: reader.subjects))
            let tail = try await reader.jetStream.pullConsumer(stream: reader.name, durableName: durable)
            let events = try await within(.seconds(30), "three events for \(user)") {
                var subjects: [String] = []
                while subjects.count < 3 {
                    for message in try await tail.fetch(maxMessages: 3, timeout: .milliseconds(500)) {
                        subjects.append(message.subject)
                        try await message.ack()
                    }
                }
                return subjects
            }
            #expect(
                Set(events.map { $0.split(separator: ".").suffix(2).joined(separator: ".") })
                    == ["round.started", "round.training", "case.ingested"])
            try await reader.jetStream.deleteConsumer(stream: reader.name, durableName: durable)
        }
        #expect(nats.violations.isEmpty, "refused: \(nats.violations)")
    }

    /// A scorer cannot queue a train job (its publish never reaches the stream) nor delete a
    /// stream; no other user may delete one either.
    @Test func theScorerCannotQueueATrainJobAndNobodyDeletesAStream() async throws {
        let nats = try await DeploymentNATS()
        let orchestrator = try JetStream(connection: try await nats.connect(as: "orchestrator"))
        let training = JobQueue(TrainerRPC.train, jetStream: orchestrator, subjectPrefix: "", delivery: JobDelivery())
        try await training.ensure()

        let scorer = try JetStream(connection: try await nats.connect(as: "scorer"), apiTimeout: .seconds(1))
        let forged = JobQueue(TrainerRPC.train, jetStream: scorer, subjectPrefix: "", delivery: JobDelivery())
        await #expect(throws: BusError.self) { try await forged.submit(TrainJob(), id: "forged") }
        #expect(try await orchestrator.streamState(training.jobsStream).messages == 0)

        try await nats.expectNobodyDeletes(training.jobsStream)
        #expect(try await orchestrator.streamState(training.jobsStream).messages == 0)

        let refused = nats.violations
        #expect(
            refused.contains { $0.contains("\"scorer\"") && $0.contains("\"activeseg.v1.trainer.train\"") },
            "the server did not refuse the scorer's train job: \(refused)")
    }

    /// Retries `body` until it succeeds: a subscription reaches the server a moment after the
    /// service started.
    static func eventually<Value: Sendable>(_ body: @Sendable () async throws -> Value) async throws -> Value {
        while true {
            do { return try await body() } catch { try await Task.sleep(for: .milliseconds(100)) }
        }
    }
}

/// A job handler that works half a second on every job and finishes it with an empty result.
struct FinishingHandler<Job: SwiftProtobuf.Message, Result: SwiftProtobuf.Message>: JobHandler {
    func handle(_ job: Job, id: String, delivery: Int, logger: Logger) async throws -> Result? {
        try await Task.sleep(for: .milliseconds(500))
        return Result()
    }

    func recordFailure(jobID: String, error: RPCError, final: Bool, logger: Logger) async throws {}
}
