import ActiveLearning
import Artifacts
import Domain
import Foundation
import Logging
import Neural
import Profiles
import Proto
import ServiceRuntime
import Statistics
import Store
import SwiftProtobuf
import WorkerSupport

/// Scores one case with one model set for a `ScoreJob` and records the outcome with the job's
/// success in one transaction:
/// - a training-split (pool) case gets its score and feature vector, stored under the job's round:
///   the round (> 0) that selects with them, scored with the previous round's models;
/// - a training-split case the experiment picked in an earlier round gets its feature vector only,
///   which the non-similar restriction compares the candidates with: it is no candidate, so it
///   has no score;
/// - a test-split case asked to be evaluated gets the Dice of its segmentation (the profile's
///   `SegmentationRule` on the deterministic mean probability map of the job's models, whatever the
///   method) against its label, stored for the job's first model (an ensemble is evaluated as one).
/// Evaluating a pool case is refused: its label must not reach the selection.
struct ScoreJobHandler: JobHandler {
    let loader: CaseLoader
    let jobs: JobFailureRecorder

    func handle(_ job: ScoreJob, id: String, delivery: Int, logger: Logger) async throws -> ScoreResult? {
        var logger = logger
        logger[metadataKey: "experiment"] = "\(job.experimentID)"
        logger[metadataKey: "round"] = "\(job.round)"
        logger[metadataKey: "case.id"] = "\(job.caseRef.caseID)"
        // The `scores.method` column stores the strategy's name.
        guard let methodName = Strategy(job.method)?.rawValue else {
            throw RPCError(
                .invalidArgument, "method \(job.method) cannot be scored and stored", details: ["job.id": id])
        }
        guard !job.models.isEmpty else {
            throw RPCError(.invalidArgument, "the job names no model", details: ["job.id": id])
        }
        do throws(LimitViolation) {
            try ExperimentSpecLimits.check(job)
        } catch {
            throw JobField.refusal(error, jobID: id)
        }
        let jobID = try JobID(wireForm: id, field: "job_id")
        let experimentID = try ExperimentID(wireForm: job.experimentID, field: "experiment_id")
        guard let role = Domain.CaseRole(job.role) else {
            throw RPCError(.invalidArgument, "the job does not state the case's role", details: ["job.id": id])
        }
        if role != .test, job.round == 0 {
            throw RPCError(
                .invalidArgument, "round 0 selects at random; scores belong to rounds from 1 on",
                details: ["job.id": id])
        }
        guard try await jobs.startAttempt(jobID: id) else {
            logger.notice("job already succeeded; nothing to do")
            return nil
        }
        let files = try await loader.files(job.caseRef.caseID)
        if role == .test, files.split != "test" {
            throw RPCError(
                .invalidArgument, "only test-split cases are evaluated", details: ["case.id": job.caseRef.caseID])
        }
        if role != .test, files.split != "train" {
            throw RPCError(
                .invalidArgument, "only training-split cases are scored", details: ["case.id": job.caseRef.caseID])
        }
        var networks: [UNet3D] = []
        var profiles: [ExperimentProfile] = []
        for reference in job.models {
            let modelID = try ModelID(wireForm: reference.modelID, field: "model_id")
            guard let model = try await ModelRepository.model(modelID, on: loader.store),
                let artifact = ArtifactID(sha256: model.checkpointSHA256)
            else {
                throw RPCError(
                    .notFound, "model \(reference.modelID) is not recorded", details: ["model.id": reference.modelID])
            }
            do {
                let profile = ExperimentProfile(model.profile)
                let network = try Checkpoint.decode(try loader.artifacts.get(artifact), file: model.checkpointSHA256)
                    .network
                network.precision = profile.precision
                profiles.append(profile)
                networks.append(network)
            } catch {
                throw RPCError(
                    .dataLoss, "model \(reference.modelID) does not load: \(error)",
                    details: ["model.id": reference.modelID, "artifact": model.checkpointSHA256], cause: error)
            }
        }
        // The members of one ensemble share a profile; the first model's sizes the inference.
        let profile = profiles[0]
        let image = try loader.image(files)
        let passes = job.passes == 0 ? profile.inference.passes : Int(job.passes)
        let topFraction = job.hasTopFraction ? job.topFraction : profile.activeLearning.topFraction
        let (method, predictor, seed) = (job.method, profile.predictor, job.seed)
        let inference = try await ComputeThreads.offload {
            role == .test
                ? CaseInference.evaluation(networks: networks, image: image, predictor: predictor)
                : try CaseInference(
                    method: method, networks: networks, image: image, predictor: predictor,
                    passes: passes, topFraction: topFraction, seed: seed)
        }
        var dice: Double?
        if role == .test {
            let label = try loader.label(files)
            let dimensions = SIMD3(image.shape[3], image.shape[2], image.shape[1])
            dice = try Statistics.dice(
                prediction: BinaryMask(
                    dimensions: dimensions,
                    voxels: profile.segmentationRule.foreground(inference.meanMap)),
                reference: BinaryMask(dimensions: dimensions, voxels: label.map { $0 != 0 }))
        }
        let modelID = try ModelID(wireForm: job.models[0].modelID, field: "model_id")
        try await loader.store.withTransaction { transaction in
            if let dice {
                try await EvaluationRepository.insert(
                    modelID: modelID, caseID: files.id, datasetID: files.datasetID, dice: dice, on: transaction)
            } else if role == .annotated {
                try await ScoreRepository.insertFeatures(
                    experimentID: experimentID, roundIndex: Int(job.round), caseID: files.id,
                    datasetID: files.datasetID, vector: inference.features, on: transaction)
            } else {
                try await ScoreRepository.insert(
                    ScoreRecord(
                        experimentID: experimentID, roundIndex: Int(job.round), caseID: files.id,
                        datasetID: files.datasetID,
                        method: methodName, value: inference.score, features: inference.features),
                    on: transaction)
            }
            try await JobRepository.markSucceeded(jobID, on: transaction)
        }
        logger.info(
            "case scored",
            metadata: [
                "score": "\(inference.score)", "dice": "\(dice.map { "\($0)" } ?? "none")",
                "role": "\(role)",
            ])
        return ScoreResult.with {
            $0.jobID = id
            $0.experimentID = job.experimentID
            $0.repetition = job.repetition
            $0.round = job.round
            $0.caseID = job.caseRef.caseID
            $0.method = job.method
            $0.score = inference.score
            $0.features = inference.features
            $0.probability = ProbabilitySummary.with {
                $0.mean = inference.meanMap.reduce(0.0) { $0 + Double($1) } / Double(inference.meanMap.count)
                $0.foregroundVoxels = UInt64(inference.meanMap.reduce(0) { $0 + ($1 >= 0.5 ? 1 : 0) })
                $0.totalVoxels = UInt64(inference.meanMap.count)
                $0.maxVariance = inference.maxVariance
            }
            if let dice { $0.dice = dice }
            $0.scoredAt = Google_Protobuf_Timestamp(date: Date())
        }
    }

    /// Whether the experiment picked the case in a round before `round`, i.e. it left the pool.
    func recordFailure(jobID: String, error: RPCError, final: Bool, logger: Logger) async throws {
        try await jobs.record(jobID: jobID, error: error, final: final, logger: logger)
    }

    func recordHandBack(jobID: String, logger: Logger) async throws {
        try await jobs.recordHandBack(jobID: jobID)
    }
}
