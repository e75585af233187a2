import Bus
import Foundation
import Proto
import SwiftProtobuf

/// A work queue of jobs that must not be lost (training, scoring), and the stream their completion
/// notices go to.
///
/// Jobs of every kind share the work-queue stream `ACTIVESEG_JOBS`; each kind is the subject of
/// its rpc method (`activeseg.v1.trainer.train`, `activeseg.v1.scorer.score`) and has one durable
/// pull consumer named after its service (`trainer`, `scorer`), so the workers of a service share
/// its jobs and a job stays in the stream until a worker acknowledges it. A job is published with
/// its id as `Nats-Msg-Id`: a producer that publishes again after a restart stores it once.
///
/// A worker publishes the job's result (or an `ErrorReply`) on `activeseg.v1.results.<service>`,
/// kept in the limits-retention stream `ACTIVESEG_RESULTS`, again with the job id as
/// `Nats-Msg-Id`, so a job redelivered after its notice was sent does not announce twice.
///
/// Under a subject prefix every subject gets the prefix and each stream's name the suffix
/// `_<PREFIX>` (dots as underscores), as `EventStream` names its stream, so deployments sharing
/// one NATS server keep separate queues.
public struct JobQueue<Job: SwiftProtobuf.Message, Result: SwiftProtobuf.Message>: Sendable {
    public static var jobsBaseName: String { "ACTIVESEG_JOBS" }
    public static var resultsBaseName: String { "ACTIVESEG_RESULTS" }
    /// A repeated job id within this window is not stored again; an hour covers any restart of the
    /// producer.
    public static var duplicateWindow: Duration { .seconds(3600) }
    /// How long notices are kept for a consumer that was down.
    public static var resultsMaxAge: Duration { .seconds(7 * 24 * 3600) }

    public let method: RPCMethod<Job, Result>
    public let jetStream: JetStream
    public let subjectPrefix: String
    public let delivery: JobDelivery

    public init(
        _ method: RPCMethod<Job, Result>, jetStream: JetStream, subjectPrefix: String,
        delivery: JobDelivery = JobDelivery()
    ) {
        self.method = method
        self.jetStream = jetStream
        self.subjectPrefix = subjectPrefix
        self.delivery = delivery
    }

    /// The work-queue stream's name for this deployment.
    public var jobsStream: String { streamName(Self.jobsBaseName) }
    /// The notices stream's name for this deployment.
    public var resultsStream: String { streamName(Self.resultsBaseName) }
    /// Where jobs of this kind are published.
    public var jobSubject: String { RPCWire.subject(method.subject, prefix: subjectPrefix) }
    /// Where this kind's notices are published.
    public var resultSubject: String {
        RPCWire.subject("activeseg.v1.results.\(durableName)", prefix: subjectPrefix)
    }
    /// The durable consumer the service's workers share: the service's name in lower case.
    public var durableName: String { method.service.lowercased() }

    public var jobsConfiguration: StreamConfiguration {
        // Every job kind, so a kind added later joins the same stream.
        let kinds = [TrainerRPC.train.subject, ScorerRPC.score.subject]
        return StreamConfiguration(
            name: jobsStream, subjects: kinds.map { RPCWire.subject($0, prefix: subjectPrefix) },
            retention: .workQueue, storage: .file, duplicateWindow: Self.duplicateWindow,
            replicas: jetStream.streamReplicas)
    }

    public var resultsConfiguration: StreamConfiguration {
        StreamConfiguration(
            name: resultsStream, subjects: [RPCWire.subject("activeseg.v1.results.>", prefix: subjectPrefix)],
            retention: .limits, storage: .file, maxAge: Self.resultsMaxAge,
            duplicateWindow: Self.duplicateWindow, replicas: jetStream.streamReplicas)
    }

    public var consumerConfiguration: ConsumerConfiguration {
        ConsumerConfiguration(
            durableName: durableName, filterSubject: jobSubject, ackWait: delivery.ackWait,
            maxDeliver: delivery.maxDeliver)
    }

    /// Creates both streams and this kind's consumer, or brings them to this configuration; producers
    /// and workers both call it, so either may start first.
    public func ensure() async throws {
        try await jetStream.ensureStream(jobsConfiguration)
        try await jetStream.ensureStream(resultsConfiguration)
        try await jetStream.ensureConsumer(stream: jobsStream, consumerConfiguration)
    }

    /// Queues `job` under `id` (the job id stored with it in Postgres). Returns whether the stream
    /// already had a job of that id, in which case nothing was queued.
    @discardableResult
    public func submit(_ job: Job, id: String) async throws -> PublishAck {
        try await jetStream.publish(try job.serializedData(), to: jobSubject, messageID: id)
    }

    /// The header naming the job of a message queued again by `requeue`, whose `Nats-Msg-Id` must
    /// differ from the job id for the stream to store it.
    public static var jobIDHeader: String { "ActiveSeg-Job-Id" }

    /// The job id of a job message: its `Nats-Msg-Id`, or `jobIDHeader` on a message queued again.
    public static func jobID(of message: JetStreamMessage) -> String {
        message.headers[jobIDHeader] ?? message.headers["Nats-Msg-Id"] ?? "stream-sequence-\(message.streamSequence)"
    }

    /// Queues a handed-back job again as a new message, so that its next delivery is its first:
    /// JetStream counts every delivery of a message, and a hand-back is no attempt. The message id
    /// names the stream sequence it replaces, so each hand-back is stored once.
    func requeue(_ message: JetStreamMessage, jobID: String) async throws {
        var headers = BusHeaders()
        headers[Self.jobIDHeader] = jobID
        try await jetStream.publish(
            message.payload, to: jobSubject, headers: headers,
            messageID: "\(jobID)/handed-back/\(message.streamSequence)")
    }

    /// Publishes the notice of a finished job; a repeat for the same job id is not stored again.
    @discardableResult
    func announce(_ result: Result, jobID: String) async throws -> PublishAck {
        try await jetStream.publish(try result.serializedData(), to: resultSubject, messageID: jobID)
    }

    /// Publishes the notice of a failed job: an `ErrorReply`, marked by the headers RPC replies use.
    @discardableResult
    func announce(_ error: RPCError, jobID: String) async throws -> PublishAck {
        try await jetStream.publish(
            try error.errorReply.serializedData(), to: resultSubject,
            headers: RPCWire.errorHeaders(error), messageID: jobID)
    }

    /// A notice read back from the results stream: the result, or the error the job failed with.
    public static func decodeNotice(_ payload: Data, headers: BusHeaders) throws -> Swift.Result<Result, RPCError> {
        if headers[RPCWire.errorCodeHeader] != nil {
            return .failure(RPCError(try ErrorReply(serializedBytes: payload), subject: ""))
        }
        return .success(try Result(serializedBytes: payload))
    }

    private func streamName(_ base: String) -> String {
        subjectPrefix.isEmpty ? base : base + "_" + subjectPrefix.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}
