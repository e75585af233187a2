import Artifacts
import Bus
import Domain
import Foundation
import Logging
import Neural
import Profiles
import Proto
import ServiceRuntime
import Store
import SwiftProtobuf
import WorkerSupport

/// Trains the model a `TrainJob` describes and records it: checkpoint into the artifact store, then
/// the `models` row and the job's success in one transaction. Publishes a training-progress event
/// after every epoch.
struct TrainJobHandler: JobHandler {
    let loader: CaseLoader
    let jobs: JobFailureRecorder
    let progress: ProgressPublisher

    func handle(_ job: TrainJob, id: String, delivery: Int, logger: Logger) async throws -> TrainResult? {
        var logger = logger
        logger[metadataKey: "experiment"] = "\(job.experimentID)"
        logger[metadataKey: "round"] = "\(job.round)"
        let profile: ExperimentProfile
        do {
            profile = try ExperimentProfile(job.profile)
        } catch {
            throw RPCError(.invalidArgument, "\(error)", details: ["job.id": id])
        }
        guard !job.trainingCases.isEmpty else {
            throw RPCError(.invalidArgument, "the job names no training cases", details: ["job.id": id])
        }
        guard job.dropoutMode != .unspecified else {
            throw RPCError(.invalidArgument, "the job does not state its dropout mode", details: ["job.id": id])
        }
        let parameters = job.hyperParameters
        do throws(LimitViolation) {
            try ExperimentSpecLimits.check(parameters, profile: profile)
        } catch {
            throw JobField.refusal(error, jobID: id)
        }
        let jobID = try JobID(wireForm: id, field: "job_id")
        let datasetID = try DatasetID(wireForm: job.datasetID, field: "dataset_id")
        let experimentID = try ExperimentID.optional(wireForm: job.experimentID, field: "experiment_id")
        guard try await jobs.startAttempt(jobID: id) else {
            logger.notice("job already succeeded; nothing to do")
            return nil
        }

        let sample = TrainingSet(job: job, validationFraction: profile.activeLearning.validationFraction)
        var cases: [String: TrainingCase] = [:]
        for caseID in Set(sample.training + sample.validation) {
            cases[caseID] = try await loader.trainingCase(caseID)
        }
        let network = UNet3D(
            config: profile.network(dropout: job.dropoutMode, rate: profile.dropoutRate(parameters)), seed: job.seed)
        network.precision = profile.precision
        let trainer = Trainer(
            config: profile.trainingConfig(parameters, trainingCases: sample.training.count, seed: job.seed),
            predictor: profile.predictor, logger: logger)

        let started = Date()
        let (events, continuation) = AsyncStream.makeStream(of: EpochReport.self, bufferingPolicy: .bufferingNewest(64))
        let scope = job.experimentID.isEmpty ? datasetID.wireForm : job.experimentID
        let publishing = Task { await progress.publish(events, job: job, scope: scope, logger: logger) }
        let outcome: TrainingResult
        do {
            let training = sample.training.compactMap { cases[$0] },
                validation = sample.validation.compactMap { cases[$0] }
            outcome = try await ComputeThreads.offload {
                try trainer.train(
                    network, training: training, validation: validation, progress: { continuation.yield($0) })
            }
        } catch {
            continuation.finish()
            await publishing.value
            throw error
        }
        continuation.finish()
        await publishing.value
        let seconds = Date().timeIntervalSince(started)

        let metadata = [
            "job_id": id, "experiment_id": job.experimentID, "round": String(job.round),
            "profile": profile.name.rawValue,
            "seed": String(job.seed), "best_epoch": String(outcome.bestEpoch),
            "ensemble_member": job.ensembleMember.map(String.init) ?? "",
        ]
        let checkpoint = try Checkpoint.encode(outcome.network, metadata: metadata)
        let artifact = try loader.artifacts.put(checkpoint)
        let model = ModelRecord(
            id: .random(), datasetID: datasetID, experimentID: experimentID,
            roundIndex: experimentID == nil ? nil : Int(job.round),
            ensembleMember: job.ensembleMember.map(Int.init), profile: profile.name,
            checkpointSHA256: artifact.sha256, trainingCaseCount: sample.training.count, epochs: outcome.history.count,
            bestValidationDice: outcome.bestValidationDice, jobID: jobID)
        try await loader.store.withTransaction { transaction in
            try await ModelRepository.insert(model, on: transaction)
            try await JobRepository.markSucceeded(jobID, on: transaction)
        }
        logger.info(
            "model trained",
            metadata: [
                "model.id": "\(model.id)", "epochs": "\(model.epochs)", "seconds": "\(seconds)",
                "validation.dice": "\(outcome.bestValidationDice.map { "\($0)" } ?? "none")",
            ])
        return TrainResult.with {
            $0.jobID = id
            $0.experimentID = job.experimentID
            $0.repetition = job.repetition
            $0.round = job.round
            if let member = job.ensembleMember { $0.ensembleMember = member }
            $0.model = ModelRef.with {
                $0.modelID = model.id.wireForm
                $0.checkpoint = ArtifactRef.with {
                    $0.sha256 = artifact.sha256
                    $0.sizeBytes = UInt64(checkpoint.count)
                }
            }
            $0.metrics = TrainMetrics.with {
                $0.epochs = UInt32(outcome.history.count)
                $0.bestEpoch = UInt32(outcome.bestEpoch)
                $0.bestValidationDice = outcome.bestValidationDice ?? 0
                $0.finalTrainingLoss = outcome.history.last?.loss ?? 0
                $0.seconds = seconds
            }
            $0.finishedAt = Google_Protobuf_Timestamp(date: Date())
        }
    }

    func recordFailure(jobID: String, error: RPCError, final: Bool, logger: Logger) async throws {
        try await jobs.record(jobID: jobID, error: error, final: final, logger: logger)
    }

    func recordHandBack(jobID: String, logger: Logger) async throws {
        try await jobs.recordHandBack(jobID: jobID)
    }
}
