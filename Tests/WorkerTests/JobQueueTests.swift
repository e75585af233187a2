import Bus
import Foundation
import Logging
import Proto
import Synchronization
import TestSupport
import Testing

@testable import ServiceRuntime

/// A handler whose behaviour each test scripts, recording what the worker asked of it.
final class ScriptedHandler: JobHandler, @unchecked Sendable {
    typealias Job = TrainJob
    typealias Result = TrainResult

    /// What to do on a delivery: finish, fail with a code, or hang until cancelled.
    enum Step: Sendable { case finish, fail(ErrorCode), hang }

    struct Call: Sendable, Equatable {
        var jobID: String
        var delivery: Int
    }

    struct Failure: Sendable, Equatable {
        var jobID: String
        var code: ErrorCode
        var final: Bool
    }

    private let script: @Sendable (Int) -> Step
    private let state = Mutex<(calls: [Call], failures: [Failure], finished: [String])>(([], [], []))

    init(_ script: @escaping @Sendable (_ delivery: Int) -> Step) {
        self.script = script
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var failures: [Failure] { state.withLock { $0.failures } }
    var finished: [String] { state.withLock { $0.finished } }

    func handle(_ job: TrainJob, id: String, delivery: Int, logger: Logger) async throws -> TrainResult? {
        state.withLock { $0.calls.append(Call(jobID: id, delivery: delivery)) }
        switch script(delivery) {
        case .finish:
            state.withLock { $0.finished.append(id) }
            return TrainResult.with {
                $0.jobID = job.jobID
                $0.experimentID = job.experimentID
            }
        case .fail(let code):
            throw RPCError(code, "scripted failure on delivery \(delivery)")
        case .hang:
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        }
    }

    func recordFailure(jobID: String, error: RPCError, final: Bool, logger: Logger) async throws {
        state.withLock { $0.failures.append(Failure(jobID: jobID, code: error.code, final: final)) }
    }
}

@Suite(.tags(.stack), .needsLocalStack) struct JobQueueTests {
    private func queue(prefix: String, name: String) async throws -> JobQueue<TrainJob, TrainResult> {
        JobQueue(
            TrainerRPC.train, jetStream: try await WorkerTestSupport.jetStream(name: name), subjectPrefix: prefix,
            delivery: WorkerTestSupport.delivery)
    }

    private func job(_ id: String) -> TrainJob {
        TrainJob.with {
            $0.jobID = id
            $0.experimentID = "experiment-\(id)"
        }
    }

    @Test func streamsAndSubjectsFollowThePrefix() async throws {
        let queue = try await queue(prefix: "staging.eu", name: "names")
        #expect(queue.jobsStream == "ACTIVESEG_JOBS_STAGING_EU")
        #expect(queue.resultsStream == "ACTIVESEG_RESULTS_STAGING_EU")
        #expect(queue.jobSubject == "staging.eu.activeseg.v1.trainer.train")
        #expect(queue.resultSubject == "staging.eu.activeseg.v1.results.trainer")
        #expect(queue.durableName == "trainer")
        #expect(queue.jobsConfiguration.retention == .workQueue)
        #expect(queue.resultsConfiguration.retention == .limits)
        await queue.jetStream.connection.close()
    }

    @Test func jobOfADeadWorkerIsRedeliveredToAnother() async throws {
        let prefix = WorkerTestSupport.uniquePrefix()
        let producer = try await queue(prefix: prefix, name: "producer")
        try await producer.ensure()
        let dying = ScriptedHandler { _ in .hang }
        let dyingQueue = try await queue(prefix: prefix, name: "dying")
        let first = RunningWorker.start(JobWorker(queue: dyingQueue, handler: dying, logger: WorkerTestSupport.logger))
        try await producer.submit(job("a"), id: "a")
        try await eventually("the first worker to take the job") { !dying.calls.isEmpty }

        // The process dies: its connection is gone, nothing is acknowledged or handed back.
        await dyingQueue.jetStream.connection.close()
        first.task.cancel()
        _ = await first.task.result

        let surviving = ScriptedHandler { _ in .finish }
        let second = RunningWorker.start(
            JobWorker(
                queue: try await queue(prefix: prefix, name: "surviving"),
                handler: surviving, logger: WorkerTestSupport.logger))
        try await eventually("the second worker to finish the job") { surviving.finished == ["a"] }
        try await second.stop()
        #expect(dying.calls == [.init(jobID: "a", delivery: 1)])
        #expect(surviving.calls == [.init(jobID: "a", delivery: 2)])
        let notices = try await WorkerTestSupport.notices(producer, expecting: 1)
        #expect(notices.map(\.id) == ["a"])
        #expect(try (notices[0].notice.get()).experimentID == "experiment-a")
        #expect(try await producer.jetStream.streamState(producer.jobsStream).messages == 0)
        await producer.jetStream.connection.close()
    }

    @Test func failingHandlerIsRetriedAndRecorded() async throws {
        let prefix = WorkerTestSupport.uniquePrefix()
        let producer = try await queue(prefix: prefix, name: "producer")
        try await producer.ensure()
        let handler = ScriptedHandler { delivery in delivery == 1 ? .fail(.unavailable) : .finish }
        let worker = RunningWorker.start(
            JobWorker(
                queue: try await queue(prefix: prefix, name: "worker"), handler: handler,
                logger: WorkerTestSupport.logger))
        try await producer.submit(job("b"), id: "b")
        try await eventually("the retry to finish") { handler.finished == ["b"] }
        try await worker.stop()
        #expect(handler.calls.map(\.delivery) == [1, 2])
        #expect(handler.failures == [.init(jobID: "b", code: .unavailable, final: false)])
        await producer.jetStream.connection.close()
    }

    @Test func badJobOrLastDeliveryIsTerminatedAndAnnouncedAsFailed() async throws {
        let prefix = WorkerTestSupport.uniquePrefix()
        let producer = try await queue(prefix: prefix, name: "producer")
        try await producer.ensure()
        let handler = ScriptedHandler { _ in .fail(.internal) }
        let worker = RunningWorker.start(
            JobWorker(
                queue: try await queue(prefix: prefix, name: "worker"), handler: handler,
                logger: WorkerTestSupport.logger))
        try await producer.submit(job("c"), id: "c")
        try await producer.jetStream.publish(Data([0xFF, 0xFF, 0xFF]), to: producer.jobSubject, messageID: "garbled")
        let notices = try await WorkerTestSupport.notices(producer, expecting: 2)
        try await worker.stop()
        #expect(handler.calls.filter { $0.jobID == "c" }.map(\.delivery) == [1, 2, 3])
        #expect(
            handler.failures.filter { $0.final } == [
                .init(jobID: "c", code: .internal, final: true),
                .init(jobID: "garbled", code: .invalidArgument, final: true),
            ]
                || handler.failures.filter { $0.final } == [
                    .init(jobID: "garbled", code: .invalidArgument, final: true),
                    .init(jobID: "c", code: .internal, final: true),
                ])
        let codes = Dictionary(uniqueKeysWithValues: notices.map { ($0.id, $0.notice) })
        #expect(codes.count == 2)
        if case .failure(let error)? = codes["garbled"] {
            #expect(error.code == .invalidArgument)
        } else {
            Issue.record("no failure notice for the garbled job")
        }
        if case .failure(let error)? = codes["c"] {
            #expect(error.code == .internal)
        } else {
            Issue.record("no failure notice for job c")
        }
        await producer.jetStream.connection.close()
    }

    @Test func aRepeatedJobIsQueuedAndAnnouncedOnce() async throws {
        let prefix = WorkerTestSupport.uniquePrefix()
        let producer = try await queue(prefix: prefix, name: "producer")
        try await producer.ensure()
        #expect(try await producer.submit(job("d"), id: "d").duplicate == false)
        #expect(try await producer.submit(job("d"), id: "d").duplicate == true)
        let handler = ScriptedHandler { _ in .finish }
        let worker = RunningWorker.start(
            JobWorker(
                queue: try await queue(prefix: prefix, name: "worker"), handler: handler,
                logger: WorkerTestSupport.logger))
        try await eventually("the job to finish") { handler.finished == ["d"] }
        try await worker.stop()
        // A redelivered job that its handler finished again announces under the same id.
        #expect(try await producer.announce(TrainResult.with { $0.jobID = "d" }, jobID: "d").duplicate)
        #expect(try await producer.jetStream.streamState(producer.resultsStream).messages == 1)
        #expect(handler.calls.count == 1)
        await producer.jetStream.connection.close()
    }

    @Test func gracefulShutdownHandsTheRunningJobBack() async throws {
        let prefix = WorkerTestSupport.uniquePrefix()
        let producer = try await queue(prefix: prefix, name: "producer")
        try await producer.ensure()
        let hanging = ScriptedHandler { _ in .hang }
        let first = RunningWorker.start(
            JobWorker(
                queue: try await queue(prefix: prefix, name: "first"), handler: hanging,
                logger: WorkerTestSupport.logger))
        try await producer.submit(job("e"), id: "e")
        try await eventually("the first worker to take the job") { !hanging.calls.isEmpty }
        try await first.stop()
        let next = ScriptedHandler { _ in .finish }
        let second = RunningWorker.start(
            JobWorker(
                queue: try await queue(prefix: prefix, name: "second"), handler: next,
                logger: WorkerTestSupport.logger))
        try await eventually("the second worker to finish the job") { next.finished == ["e"] }
        try await second.stop()
        #expect(hanging.failures.isEmpty)
        // Queued again as a new message under the same job id: its delivery is a first one.
        #expect(next.calls == [.init(jobID: "e", delivery: 1)])
        #expect(try await producer.jetStream.streamState(producer.jobsStream).messages == 0)
        await producer.jetStream.connection.close()
    }
}
