import Bus
import Dispatch
import Domain
import Foundation
import FuzzSupport
import Logging
import Neural
import Profiles
import Proto
import SwiftProtobuf

@testable import ServiceRuntime

/// The protobuf messages that arrive over NATS, decoded as the services decode them.
///
/// The first byte chooses a decoder, the rest is the message:
/// - the rpc requests of every service, through `RPCResponder` (the decode every server runs, and
///   its error reply); the selector's and the stats service's handlers, the ingest plan and the
///   orchestrator's experiment validation are the services' own code (`Services/…` files linked
///   into this module); the other orchestrator methods and ingest's label import need the database,
///   so only their decode runs;
/// - the trainer's and scorer's jobs, decoded and put through the checks their handlers make before
///   touching a store, with the training set the trainer draws and the configuration it would build;
/// - replies (`RPCWire.decode`), job notices (`JobQueue.decodeNotice`) and events (`EventEnvelope`),
///   which clients and the orchestrator decode.
///
/// A refusal is an error reply or a thrown error; a trap or a sanitizer report is a finding.
let logger = Logger(label: "activeseg.fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
let experimentID = ExperimentID(wireForm: "00000000-0000-4000-8000-000000000001")!

let responders: [RPCResponder] = [
    RPCResponder(SelectorRPC.select) { request, logger in try SelectionHandler().select(request, logger: logger) },
    RPCResponder(StatsRPC.analyze) { request, logger in try AnalysisHandler().analyze(request, logger: logger) },
    RPCResponder(IngestRPC.ingest) { request, _ in
        _ = try IngestPlan(request)
        return IngestResult()
    },
    RPCResponder(OrchestratorRPC.create) { request, _ in
        _ = try ExperimentSpecMapping.record(
            id: ExperimentID(wireForm: request.experimentID) ?? experimentID, spec: request.spec)
        return ExperimentStatus()
    },
    RPCResponder(OrchestratorRPC.start) { _, _ in ExperimentStatus() },
    RPCResponder(OrchestratorRPC.status) { _, _ in ExperimentStatus() },
    RPCResponder(OrchestratorRPC.cancel) { _, _ in ExperimentStatus() },
    RPCResponder(OrchestratorRPC.list) { _, _ in ExperimentList() },
    RPCResponder(OrchestratorRPC.compare) { _, _ in ExperimentComparison() },
    RPCResponder(IngestRPC.importLabels) { _, _ in LabelImportResult() },
    RPCResponder(TrainerRPC.train) { job, _ in
        try checkTrainJob(job)
        return TrainResult()
    },
    RPCResponder(ScorerRPC.score) { job, _ in
        try checkScoreJob(job)
        return ScoreResult()
    },
    RPCResponder.health(SelectorRPC.ping, instance: "fuzz"),
]

/// What `TrainJobHandler.handle` checks before it reads a case, then what it derives from the job:
/// the training set, and a network configuration and patch size that its layers accept.
func checkTrainJob(_ job: TrainJob) throws {
    let profile = try ExperimentProfile(job.profile)
    guard !job.trainingCases.isEmpty, job.dropoutMode != .unspecified else { return }
    let parameters = job.hyperParameters
    try ExperimentSpecLimits.check(parameters, profile: profile)
    let sample = TrainingSet(job: job, validationFraction: profile.activeLearning.validationFraction)
    precondition(!sample.training.isEmpty, "a job with training cases left none to train on")
    let network = profile.network(dropout: job.dropoutMode, rate: profile.dropoutRate(parameters))
    precondition(network.limitViolation == nil, "a checked job gives the network \(network)")
    let training = profile.trainingConfig(parameters, trainingCases: sample.training.count, seed: job.seed)
    precondition(
        training.patchSize.allSatisfy { $0 > 0 && $0 % network.sizeDivisor == 0 },
        "a checked job gives patches of \(training.patchSize) to a network that divides by \(network.sizeDivisor)")
}

/// What `ScoreJobHandler.handle` checks before it reads a case or a model.
func checkScoreJob(_ job: ScoreJob) throws {
    guard !job.models.isEmpty else { return }
    try ExperimentSpecLimits.check(job)
}

/// The response types a client decodes replies as, with the headers of a success and of an error.
let replies: [@Sendable (BusMessage) throws -> Void] = [
    { _ = try RPCWire.decode($0, as: SelectResult.self, subject: $0.subject) },
    { _ = try RPCWire.decode($0, as: StatsResult.self, subject: $0.subject) },
    { _ = try RPCWire.decode($0, as: IngestResult.self, subject: $0.subject) },
    { _ = try RPCWire.decode($0, as: ExperimentStatus.self, subject: $0.subject) },
    { _ = try RPCWire.decode($0, as: ExperimentList.self, subject: $0.subject) },
    { _ = try RPCWire.decode($0, as: ExperimentComparison.self, subject: $0.subject) },
    { _ = try RPCWire.decode($0, as: LabelImportResult.self, subject: $0.subject) },
    { _ = try RPCWire.decode($0, as: HealthPong.self, subject: $0.subject) },
    { _ = try JobQueue<TrainJob, TrainResult>.decodeNotice($0.payload, headers: $0.headers) },
    { _ = try JobQueue<ScoreJob, ScoreResult>.decodeNotice($0.payload, headers: $0.headers) },
]

/// The event bodies a subscriber decodes, each behind the CloudEvents headers.
let events: [@Sendable (BusHeaders, Data) throws -> Void] = [
    { _ = try EventEnvelope<RoundStarted>(headers: $0, payload: $1, subject: "fuzz") },
    { _ = try EventEnvelope<PhaseChanged>(headers: $0, payload: $1, subject: "fuzz") },
    { _ = try EventEnvelope<TrainProgress>(headers: $0, payload: $1, subject: "fuzz") },
    { _ = try EventEnvelope<RoundFinished>(headers: $0, payload: $1, subject: "fuzz") },
    { _ = try EventEnvelope<ExperimentFinished>(headers: $0, payload: $1, subject: "fuzz") },
    { _ = try EventEnvelope<CaseIngested>(headers: $0, payload: $1, subject: "fuzz") },
    { _ = try EventEnvelope<CaseFailed>(headers: $0, payload: $1, subject: "fuzz") },
]

/// Runs an async responder to its end from libFuzzer's synchronous callback.
func blocking(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}

/// Input layout: byte 0 picks the decoder. Requests: the message follows. Replies and notices:
/// byte 1's low bit says whether the error headers are set, the message follows. Events: the
/// `ce-time` header up to the first zero byte, then the body.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzRPC(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    guard let selector = input.first else { return 0 }
    let body = input.dropFirst()
    let choice = Int(selector) % (responders.count + replies.count + events.count)
    if choice < responders.count {
        let responder = responders[choice]
        let payload = Data(body)
        blocking { _ = await responder.reply(to: payload, logger: logger) }
    } else if choice < responders.count + replies.count {
        guard let flags = body.first else { return 0 }
        let headers: BusHeaders = flags & 1 == 1 ? RPCWire.errorHeaders(RPCError(.internal, "fuzz")) : BusHeaders()
        let message = BusMessage(subject: "fuzz", headers: headers, payload: Data(body.dropFirst()))
        _ = try? replies[choice - responders.count](message)
    } else {
        let split = body.firstIndex(of: 0) ?? body.endIndex
        var headers = BusHeaders()
        headers["ce-specversion"] = "1.0"
        headers["ce-type"] = "activeseg.v1.fuzz"
        headers["ce-source"] = "/activeseg/fuzz"
        headers["ce-id"] = "fuzz"
        headers["ce-time"] = String(decoding: body[..<split], as: UTF8.self)
        _ = try? events[choice - responders.count - replies.count](headers, Data(body[split...].dropFirst()))
    }
    return 0
}

@main enum FuzzRPCMain {
    static func main() { Fuzz.main(fuzzRPC) }
}
