import Domain
import Foundation
import Orchestration
import Profiles
import Proto
import ServiceRuntime
import Store

/// Turns the state machine's job plans into job records whose payload is the protobuf job the
/// trainer or scorer takes; the record's id is also the job's id inside the payload.
struct JobPayloads: Sendable {
    let experiment: ExperimentRecord
    let spec: ExperimentSpec
    let cohort: Cohort

    func trainJob(_ plan: TrainingPlan) throws -> JobRecord {
        let id = JobID.random()
        var job = Self.training(id, plan, datasetID: experiment.datasetID, spec: spec, cohort: cohort)
        job.experimentID = experiment.id.wireForm
        job.repetition = UInt32(experiment.repetition)
        job.round = UInt32(plan.round)
        if let member = plan.member { job.bootstrapMember = UInt32(member) }
        job.dropoutMode = experiment.design.strategy == .dropoutTrainTest ? .train : .off
        return JobRecord(
            id: id, key: plan.key, kind: .train, experimentID: experiment.id, roundIndex: plan.round,
            payload: try job.serializedData())
    }

    /// The training job of a member of the full-data reference: every training case of
    /// `datasetID`, no experiment, no dropout.
    static func referenceJob(
        _ plan: TrainingPlan, datasetID: DatasetID, spec: ExperimentSpec, cohort: Cohort
    ) throws
        -> JobRecord
    {
        let id = JobID.random()
        var job = training(id, plan, datasetID: datasetID, spec: spec, cohort: cohort)
        if let member = plan.member { job.referenceMember = UInt32(member) }
        job.dropoutMode = .off
        return JobRecord(
            id: id, key: plan.key, kind: .train, experimentID: nil, roundIndex: nil,
            payload: try job.serializedData())
    }

    /// What every training job carries: its id, the plan's cases (as the cohort's references, in
    /// the plan's order) and seed, the dataset, and the spec's profile and hyperparameter overrides.
    private static func training(
        _ id: JobID, _ plan: TrainingPlan, datasetID: DatasetID, spec: ExperimentSpec, cohort: Cohort
    ) -> TrainJob {
        TrainJob.with {
            $0.jobID = id.wireForm
            $0.datasetID = datasetID.wireForm
            $0.trainingCases = plan.trainingCases.compactMap { cohort.references[$0] }
            $0.validationCases = plan.validationCases.compactMap { cohort.references[$0] }
            $0.seed = plan.seed
            if spec.hasHyperParameters { $0.hyperParameters = spec.hyperParameters }
            $0.profile = spec.profile
        }
    }

    func scoreJob(_ plan: ScoringPlan, models: [ModelRecord]) throws -> JobRecord {
        guard !models.isEmpty else {
            throw RPCError(.failedPrecondition, "round \(plan.round) cannot be scored: no trained model is stored")
        }
        let id = JobID.random()
        let job = ScoreJob.with {
            $0.jobID = id.wireForm
            $0.experimentID = experiment.id.wireForm
            $0.repetition = UInt32(experiment.repetition)
            $0.round = UInt32(plan.round)
            $0.models = models.map { model in
                ModelRef.with {
                    $0.modelID = model.id.wireForm
                    $0.checkpoint = ArtifactRef.with { $0.sha256 = model.checkpointSHA256 }
                }
            }
            if let reference = cohort.references[plan.caseID] { $0.caseRef = reference }
            $0.method = UncertaintyMethod(experiment.design.strategy)
            $0.passes = UInt32(experiment.design.dropoutPasses ?? 0)
            $0.topFraction = ExperimentProfile(experiment.design.profile).activeLearning.topFraction
            $0.seed = plan.seed
            $0.role = Proto.CaseRole(plan.role)
        }
        return JobRecord(
            id: id, key: plan.key, kind: .score, experimentID: experiment.id, roundIndex: plan.round,
            payload: try job.serializedData())
    }
}
