import Domain
import Foundation
import Logging
import Orchestration
import Profiles
import Proto
import ServiceRuntime
import Store
import SwiftProtobuf

/// The orchestrator's rpc methods: records, starts and advances experiments, reports and compares
/// them. Each method is one transaction or a read; the driver does the rounds' work.
struct ExperimentCommands: Sendable {
    let database: PostgresClient
    let driver: ExperimentDriver
    let jobs: JobPublisher
    let events: RoundEvents
    let logger: Logger

    func create(_ request: CreateExperimentRequest) async throws -> ExperimentStatus {
        let id = try Self.experimentID(request.experimentID)
        let record = try ExperimentSpecMapping.record(id: id, spec: request.spec)
        guard try await DatasetRepository.dataset(record.datasetID, on: database) != nil else {
            throw RPCError(
                .notFound, "no dataset \(request.spec.datasetID) is ingested",
                details: ["field": "spec.dataset_id"])
        }
        let stored = try await ExperimentRepository.create(record, on: database)
        guard stored.spec == record.spec else {
            throw RPCError(
                .alreadyExists, "experiment \(request.experimentID) exists with another specification",
                details: ["experiment": request.experimentID])
        }
        return try await status(of: stored)
    }

    func start(_ request: StartExperimentRequest) async throws -> ExperimentStatus {
        let experiment = try await existing(request.experimentID)
        let spec = ExperimentSpecMapping.spec(of: experiment)
        let cohort = try await Cohort.load(experiment.datasetID, on: database)
        guard cohort.trainingCases.count >= experiment.design.initialCount, !cohort.testCases.isEmpty else {
            throw RPCError(
                .failedPrecondition,
                "dataset \(experiment.datasetID.wireForm) has \(cohort.trainingCases.count) training "
                    + "and \(cohort.testCases.count) test cases; the experiment needs \(experiment.design.initialCount) "
                    + "training cases and a test split",
                details: ["experiment": request.experimentID])
        }
        let profile = experiment.design.profile
        let reference = try ExperimentStateMachine.referencePlans(
            datasetID: experiment.datasetID, profile: profile, trainingCases: cohort.trainingCases,
            validationFraction: spec.validationFraction,
            seed: UInt64(bitPattern: try await splitSeed(of: experiment)),
            members: ExperimentProfile(profile).activeLearning.referenceMembers
        ).map { try JobPayloads.referenceJob($0, datasetID: experiment.datasetID, spec: spec, cohort: cohort) }
        let referenceTrained = try await !ModelRepository.referenceMembers(
            datasetID: experiment.datasetID, profile: profile, on: database
        ).isEmpty
        // The full-data reference needs every training label; a pool that waits for a person's
        // labels has none, and its rounds finish without an equivalence test.
        let labelled = cohort.trainingCases.allSatisfy { cohort.references[$0.id]?.hasLabel == true }
        let started: [JobRecord]? = try await database.withTransaction { transaction in
            guard
                try await ExperimentRepository.transition(experiment.id, from: .created, to: .running, on: transaction)
            else { return nil }
            try await RoundRepository.open(0, of: experiment.id, in: .selecting, on: transaction)
            return !referenceTrained && labelled
                ? try await JobRepository.enqueue(reference, on: transaction) : []
        }
        if let started {
            try await jobs.publish(started)
            await events.roundStarted(experiment.id, round: 0, annotatedCases: 0)
            await events.phaseChanged(experiment.id, round: 0, phase: .selecting)
            await driver.advance(experiment.id)
        } else if experiment.status != .running {
            throw RPCError(
                .failedPrecondition, "experiment \(request.experimentID) is \(experiment.status.rawValue)",
                details: ["experiment": request.experimentID])
        }
        return try await status(of: try await existing(request.experimentID))
    }

    func status(_ request: ExperimentStatusRequest) async throws -> ExperimentStatus {
        try await status(of: try await existing(request.experimentID))
    }

    /// Takes the experiment as far as its stored state allows now; ingest asks once it has stored
    /// labels, so the round goes on without waiting for the periodic pass. An experiment that is
    /// not running, or has nothing to do, is only reported.
    func advance(_ request: AdvanceExperimentRequest) async throws -> ExperimentStatus {
        let experiment = try await existing(request.experimentID)
        await driver.advance(experiment.id)
        return try await status(of: try await existing(request.experimentID))
    }

    func cancel(_ request: CancelExperimentRequest) async throws -> ExperimentStatus {
        let experiment = try await existing(request.experimentID)
        let reason = request.reason.isEmpty ? nil : request.reason
        for from in [ExperimentRecord.Status.created, .running] {
            if try await ExperimentRepository.transition(experiment.id, from: from, to: .cancelled, on: database) {
                logger.with(experiment: request.experimentID).notice(
                    "experiment cancelled",
                    metadata: ["reason": "\(reason ?? "none given")"])
                await events.experimentFinished(experiment.id, state: .cancelled, on: database)
                break
            }
        }
        return try await status(of: try await existing(request.experimentID))
    }

    func list(_ request: ListExperimentsRequest) async throws -> ExperimentList {
        let datasetID: DatasetID? =
            request.datasetID.isEmpty ? nil : try DatasetID(wireForm: request.datasetID, field: "dataset_id")
        var list = ExperimentList()
        for experiment in try await ExperimentRepository.experiments(datasetID: datasetID, on: database) {
            list.experiments.append(try await status(of: experiment))
        }
        return list
    }

    /// Averages the experiments over their repetitions, one outcome per strategy and restriction
    /// (see ``StrategyComparison``); the baseline experiment is compared even when not listed.
    func compare(_ request: CompareExperimentsRequest) async throws -> ExperimentComparison {
        var ids = request.experimentIds
        if !ids.contains(request.baselineExperimentID) { ids.insert(request.baselineExperimentID, at: 0) }
        var repetitions: [StrategyComparison.Repetition] = []
        for (index, id) in ids.enumerated() where !ids[..<index].contains(id) {
            repetitions.append(try await repetition(id))
        }
        let baseline = try await repetition(request.baselineExperimentID)
        return ExperimentComparison.with { $0.outcomes = StrategyComparison.outcomes(repetitions, baseline: baseline) }
    }

    // MARK: Reading

    private func repetition(_ id: String) async throws -> StrategyComparison.Repetition {
        let experiment = try await existing(id)
        let rounds = try await RoundRepository.rounds(of: experiment.id, on: database)
        let training = try await Cohort.load(experiment.datasetID, on: database).trainingCases.count
        var share: Double?
        if let first = experiment.firstEquivalentRound,
            let annotated = rounds.first(where: { $0.index == first })?.outcome?.annotatedCount
        {
            share = dataShare(annotated: annotated, of: training)
        }
        return StrategyComparison.Repetition(
            experimentID: id, strategy: experiment.design.strategy,
            restriction: experiment.design.restriction, repetition: experiment.repetition,
            equivalentShare: share)
    }

    private func status(of experiment: ExperimentRecord) async throws -> ExperimentStatus {
        let round = try await RoundRepository.latest(of: experiment.id, on: database)
        let selections = try await ExperimentCaseRepository.selections(of: experiment.id, on: database)
        let training = try await Cohort.load(experiment.datasetID, on: database).trainingCases.count
        let awaiting =
            experiment.annotationMode == .human && round?.phase == .annotating
            && selections.contains { $0.selectedRound == round?.index && $0.annotatedRound == nil }
        return ExperimentStatus.with {
            $0.experimentID = experiment.id.wireForm
            $0.spec = ExperimentSpecMapping.spec(of: experiment)
            $0.state =
                switch experiment.status {
                case .created: .created
                case .running: awaiting ? .awaitingLabels : .running
                case .finished: .finished
                case .failed: .failed
                case .cancelled: .cancelled
                }
            $0.repetition = UInt32(experiment.repetition)
            if let round {
                $0.round = UInt32(round.index)
                $0.phase = Proto.RoundPhase(round.phase)
            }
            $0.annotatedCases = UInt32(selections.filter { $0.annotatedRound != nil }.count)
            $0.poolCases = UInt32(max(0, training - selections.count))
            if let first = experiment.firstEquivalentRound { $0.firstEquivalentRound = UInt32(first) }
            $0.failureReason = experiment.failureReason ?? ""
            $0.createdAt = Google_Protobuf_Timestamp(date: experiment.createdAt)
            $0.updatedAt = Google_Protobuf_Timestamp(
                date: experiment.finishedAt ?? round?.phaseChangedAt ?? experiment.createdAt)
        }
    }

    private func existing(_ id: String) async throws -> ExperimentRecord {
        guard let experiment = try await ExperimentRepository.experiment(try Self.experimentID(id), on: database) else {
            throw RPCError(.notFound, "no experiment \(id)", details: ["experiment": id])
        }
        return experiment
    }

    private func splitSeed(of experiment: ExperimentRecord) async throws -> Int64 {
        try await DatasetRepository.dataset(experiment.datasetID, on: database)?.splitSeed ?? 0
    }

    private static func experimentID(_ text: String) throws(RPCError) -> ExperimentID {
        try ExperimentID(wireForm: text, field: "experiment_id")
    }
}
