import Domain
import Foundation
import Orchestration
import Profiles
import Proto
import Store

/// Everything one step of an experiment reads, loaded fresh from Postgres before the step.
struct StepContext: Sendable {
    let experiment: ExperimentRecord
    let spec: ExperimentSpec
    let round: RoundRecord
    let cohort: Cohort
    let machine: ExperimentStateMachine
    /// Training cases annotated so far.
    let annotated: [NamedCase]
    /// Training cases picked in any round so far, annotated or not.
    let picked: Set<CaseID>
    /// Training cases not picked yet.
    let pool: [NamedCase]
    let state: RoundState
    let payloads: JobPayloads

    static func load(
        experiment: ExperimentRecord, round: RoundRecord, jobs: JobTally, on database: PostgresClient
    ) async throws
        -> StepContext
    {
        let spec = ExperimentSpecMapping.spec(of: experiment)
        let cohort = try await Cohort.load(experiment.datasetID, on: database)
        let machine = ExperimentStateMachine(
            experimentID: experiment.id, datasetID: experiment.datasetID,
            design: experiment.design, validationFraction: spec.validationFraction,
            coldStart: ExperimentProfile(experiment.design.profile).coldStart)
        let selections = try await ExperimentCaseRepository.selections(of: experiment.id, on: database)
        let picked = Set(selections.map(\.caseID))
        let annotatedIDs = Set(selections.filter { $0.annotatedRound != nil }.map(\.caseID))
        let annotated = cohort.trainingCases.filter { annotatedIDs.contains($0.id) }
        let pool = cohort.trainingCases.filter { !picked.contains($0.id) }
        let state = RoundState(
            index: round.index, phase: round.phase,
            jobs: jobs,
            missingLabels: selections.filter { $0.selectedRound == round.index && $0.annotatedRound == nil }.count,
            reference: try await referenceState(experiment, cohort: cohort, on: database),
            annotatedLabelVoxels: annotated.map { cohort.labelVoxels[$0.id] }, poolCount: pool.count)
        return StepContext(
            experiment: experiment, spec: spec, round: round, cohort: cohort, machine: machine,
            annotated: annotated, picked: picked, pool: pool, state: state,
            payloads: JobPayloads(experiment: experiment, spec: spec, cohort: cohort))
    }

    /// How far the shared full-data reference is, from its members' model rows, its evaluations and
    /// its jobs. Without any member or training job there is none to wait for: `start` plans every
    /// member's job in the transaction that opens round 0, unless the training split lacked labels.
    /// A member without a model or a job was never planned (the reference was trained when its
    /// profile asked for fewer), so the reference keeps the members it was first trained with.
    static func referenceState(
        _ experiment: ExperimentRecord, cohort: Cohort, on database: PostgresClient
    ) async throws
        -> ReferenceState
    {
        let (datasetID, profile) = (experiment.datasetID, experiment.design.profile)
        let members = try await ModelRepository.referenceMembers(
            datasetID: datasetID, profile: profile, on: database)
        let trained = Set(members.compactMap(\.ensembleMember))
        var training = false
        for member in 0..<ExperimentProfile(profile).activeLearning.referenceMembers where !trained.contains(member) {
            let key = ExperimentStateMachine.referenceMemberKey(datasetID: datasetID, profile: profile, member: member)
            guard let job = try await JobRepository.job(key: key, on: database) else { continue }
            if job.state == .failed { return .failed(reason: job.lastError ?? "its training failed") }
            training = true
        }
        if members.isEmpty, !training { return .unavailable }
        if training { return .training }
        let evaluated = try await EvaluationRepository.referenceDice(
            datasetID: datasetID, profile: profile, on: database)
        if cohort.testCases.allSatisfy({ evaluated[$0.id] != nil }) { return .ready }
        let key = ExperimentStateMachine.referenceKey(datasetID: datasetID, profile: profile)
        var outstanding = false
        for caseID in cohort.testCases.map(\.id) where evaluated[caseID] == nil {
            guard
                let job = try await JobRepository.job(
                    key: key + "/evaluate/\(caseID.wireForm)",
                    on: database)
            else { continue }
            if job.state == .failed { return .failed(reason: job.lastError ?? "its evaluation failed") }
            outstanding = outstanding || !job.state.isFinal
        }
        return outstanding ? .evaluating : .unevaluated
    }
}

/// The ingested cases of a dataset: the training pool and the fixed test split, by source name,
/// with the artifacts jobs refer to and the size of each counted label.
struct Cohort: Sendable {
    var trainingCases: [NamedCase]
    var testCases: [NamedCase]
    var references: [CaseID: CaseRef]
    var labelVoxels: [CaseID: Int]

    static func load(_ datasetID: DatasetID, on database: PostgresClient) async throws -> Cohort {
        var cohort = Cohort(trainingCases: [], testCases: [], references: [:], labelVoxels: [:])
        for record in try await CaseRepository.cases(in: datasetID, on: database) {
            guard case .ingested(let split, let image, let label) = record.state else { continue }
            switch split {
            case .train: cohort.trainingCases.append(NamedCase(record))
            case .test: cohort.testCases.append(NamedCase(record))
            }
            cohort.labelVoxels[record.id] = record.labelVoxels
            cohort.references[record.id] = CaseRef.with {
                $0.caseID = record.id.wireForm
                $0.image = ArtifactRef.with { $0.sha256 = image }
                if let label { $0.label = ArtifactRef.with { $0.sha256 = label } }
            }
        }
        return cohort
    }
}
