import Domain
import Foundation
import Logging
import Orchestration
import Proto
import ServiceRuntime
import Store

/// Advances running experiments: asks the state machine for each round's next step, carries it
/// out as one transaction that also records the jobs the step needs, and publishes those jobs and
/// the round's events only after the commit.
///
/// Every step re-reads the round from Postgres and changes it compare-and-set, so a step repeated
/// after a restart, or prompted by a duplicate or late job notice, changes nothing. Jobs are
/// published with their stored id as `Nats-Msg-Id`, so publishing one again stores it once.
/// An actor: steps of all experiments run one at a time, in the one active orchestrator.
actor ExperimentDriver {
    let database: PostgresClient
    let rpc: RPCClient
    let jobs: JobPublisher
    let events: RoundEvents
    let logger: Logger
    /// Time allowed for a selector or stats call.
    let callTimeout: Duration
    /// When a queued job is published again and a running one given up.
    let watch: JobWatch

    init(
        database: PostgresClient, rpc: RPCClient, jobs: JobPublisher, events: RoundEvents, logger: Logger,
        callTimeout: Duration = .seconds(30), watch: JobWatch = JobWatch()
    ) {
        self.database = database
        self.rpc = rpc
        self.jobs = jobs
        self.events = events
        self.logger = logger
        self.callTimeout = callTimeout
        self.watch = watch
    }

    /// After taking over: publishes every unfinished job again (the queue keeps one copy of each)
    /// and advances every running experiment from its stored state.
    func reconcile() async throws {
        let unfinished = try await JobRepository.unfinished(on: database)
        try await jobs.publish(unfinished)
        try await advanceRunning()
    }

    /// The leader's periodic pass: fails the jobs running past their kind's time limit, publishes
    /// again the jobs left queued past `republishAfter` (a publish after the commit that failed
    /// leaves its job recorded but never queued), and advances every running experiment, which
    /// fails those whose jobs failed. A running job needs no republishing: its message stays with
    /// the consumer until acknowledged and comes back when its worker goes silent.
    func sweep() async throws {
        for kind in [JobKind.train, .score] {
            let reason = watch.timeLimits.reason(for: kind)
            let overdue = try await JobRepository.running(
                kind, longerThan: watch.timeLimits.limit(for: kind),
                on: database)
            for job in overdue {
                if try await JobRepository.markFailed(job.id, reason: reason, on: database) {
                    logger.error(
                        "job given up",
                        metadata: [
                            "job.id": "\(job.id)", "job.key": "\(job.key)",
                            "reason": "\(reason)",
                        ])
                }
            }
        }
        let stale = try await JobRepository.queued(idleFor: watch.republishAfter, on: database)
        if !stale.isEmpty {
            logger.notice("publishing queued jobs again", metadata: ["jobs": "\(stale.count)"])
            try await jobs.publish(stale)
        }
        try await advanceRunning()
    }

    /// Advances every running experiment from its stored state.
    func advanceRunning() async throws {
        for experiment in try await ExperimentRepository.running(on: database) {
            await advance(experiment.id)
        }
    }

    /// Takes `experimentID`'s rounds as far as they can go now. Errors are logged, not thrown: the
    /// next notice or the next reconciliation retries from the stored state.
    func advance(_ experimentID: ExperimentID) async {
        let logger = logger.with(experiment: experimentID.wireForm)
        do {
            while try await step(experimentID, logger: logger) {}
        } catch is CancellationError {
            return
        } catch {
            logger.error("experiment step failed; it is retried on the next notice", metadata: ["error": "\(error)"])
        }
    }

    /// Carries out one step; returns whether the experiment moved on (so another step may follow).
    private func step(_ experimentID: ExperimentID, logger: Logger) async throws -> Bool {
        guard let experiment = try await ExperimentRepository.experiment(experimentID, on: database),
            experiment.status == .running,
            let round = try await RoundRepository.latest(of: experimentID, on: database)
        else { return false }
        // Most steps are prompted by one of a round's thousands of job notices and find its phase
        // still waiting: counting the phase's jobs tells, without loading the cohort.
        let jobs = try await JobTally.load(of: experimentID, round: round.index, phase: round.phase, on: database)
        if case .wait = ExperimentStateMachine.jobStep(jobs, round: round.index) { return false }
        let context = try await StepContext.load(experiment: experiment, round: round, jobs: jobs, on: database)
        let logger = logger.with(round: round.index)
        let step = context.machine.step(for: context.state)
        logger.debug("step", metadata: ["phase": "\(round.phase.rawValue)", "step": "\(step)"])
        switch step {
        case .wait:
            return false
        case .fail(let reason):
            return try await fail(experiment, reason: reason)
        case .selectInitialSet:
            let picks = try context.machine.initialSet(from: context.cohort.trainingCases)
            return try await recordPicks(picks.map(\.id), in: context)
        case .extendInitialSet:
            return try await extendInitialSet(context, logger: logger)
        case .selectFromScores:
            if round.phase == .scoring {
                return try await changePhase(context, from: .scoring, to: .selecting)
            }
            return try await selectFromScores(context)
        case .startTraining:
            return try await startTraining(context)
        case .startEvaluation:
            return try await startEvaluation(context)
        case .evaluateReference:
            return try await evaluateReference(context)
        case .testEquivalence, .finishWithoutReference:
            return try await finishRound(context, logger: logger)
        }
    }

    // MARK: Steps

    private func fail(_ experiment: ExperimentRecord, reason: String) async throws -> Bool {
        let failed = try await ExperimentRepository.transition(
            experiment.id, from: .running, to: .failed,
            failureReason: reason, on: database)
        if failed {
            logger.error("experiment failed", metadata: ["experiment": "\(experiment.id)", "reason": "\(reason)"])
            await events.experimentFinished(experiment.id, state: .failed, on: database)
        }
        return false
    }

    private func changePhase(
        _ context: StepContext, from: Domain.RoundPhase, to: Domain.RoundPhase,
        jobs planned: [JobRecord] = []
    ) async throws -> Bool {
        let id = context.experiment.id
        let index = context.round.index
        let stored: [JobRecord]? = try await database.withTransaction { transaction in
            guard try await ExperimentRepository.lockedExperiment(id, in: transaction)?.status == .running,
                try await RoundRepository.advance(index, of: id, from: from, to: to, on: transaction)
            else { return nil }
            return try await JobRepository.enqueue(planned, on: transaction)
        }
        guard let stored else { return false }
        try await jobs.publish(stored)
        await events.phaseChanged(id, round: index, phase: to)
        return true
    }

    private func recordPicks(_ picks: [CaseID], in context: StepContext) async throws -> Bool {
        let experiment = context.experiment
        let index = context.round.index
        let oracle = experiment.annotationMode == .oracle
        let moved = try await database.withTransaction { transaction in
            guard try await ExperimentRepository.lockedExperiment(experiment.id, in: transaction)?.status == .running,
                try await RoundRepository.advance(
                    index, of: experiment.id, from: .selecting, to: .annotating,
                    on: transaction)
            else { return false }
            try await ExperimentCaseRepository.recordPicks(
                picks, round: index, of: experiment.id,
                datasetID: experiment.datasetID, annotated: oracle,
                on: transaction)
            return true
        }
        if moved {
            await events.phaseChanged(experiment.id, round: index, phase: .annotating)
        }
        return moved
    }

    /// Adds the next case of the initial draw to round 0, which stays annotating: at once annotated
    /// with oracle annotation (so the next step may extend again), waiting for its label otherwise.
    private func extendInitialSet(_ context: StepContext, logger: Logger) async throws -> Bool {
        let experiment = context.experiment
        guard
            let next = try context.machine.initialExtension(
                from: context.cohort.trainingCases,
                picked: context.picked)
        else { return false }
        let moved = try await database.withTransaction { transaction in
            guard try await ExperimentRepository.lockedExperiment(experiment.id, in: transaction)?.status == .running,
                let round = try await RoundRepository.latest(of: experiment.id, on: transaction),
                round.index == 0, round.phase == .annotating
            else { return false }
            try await ExperimentCaseRepository.recordPicks(
                [next.id], round: 0, of: experiment.id,
                datasetID: experiment.datasetID,
                annotated: experiment.annotationMode == .oracle,
                firstRank: context.picked.count, on: transaction)
            return true
        }
        if moved {
            logger.info(
                "initial set extended: too few of its annotations show a tumor",
                metadata: ["case.source_name": "\(next.sourceName)", "annotated": "\(context.annotated.count)"])
        }
        return moved
    }

    /// Picks the round's cases from its stored scores and features. The non-similar restriction
    /// also compares the candidates with every annotated case, whose features this round's scoring
    /// measured: one missing would let the picks resemble it, so the experiment fails instead.
    private func selectFromScores(_ context: StepContext) async throws -> Bool {
        let index = context.round.index
        var annotated: [CaseFeatures] = []
        if context.experiment.design.restriction == .nonSimilar {
            let stored = try await ScoreRepository.features(of: context.experiment.id, round: index, on: database)
            var missing: [String] = []
            for caseID in context.annotated.map(\.id) {
                let text = caseID.wireForm
                if let features = stored[caseID] {
                    annotated.append(
                        CaseFeatures.with {
                            $0.caseID = text
                            $0.features = features
                        })
                } else {
                    missing.append(text)
                }
            }
            guard missing.isEmpty else {
                return try await fail(
                    context.experiment,
                    reason: "round \(index): annotated cases without features "
                        + "for the non-similar restriction: \(missing.joined(separator: ", "))")
            }
        }
        return try await recordPicks(try await select(context, annotated: annotated), in: context)
    }

    private func select(_ context: StepContext, annotated: [CaseFeatures]) async throws -> [CaseID] {
        let experiment = context.experiment
        let spec = context.spec
        let scored = try await ScoreRepository.scores(of: experiment.id, round: context.round.index, on: database)
        let request = SelectRequest.with {
            $0.requestID = "\(experiment.id.wireForm)/\(context.round.index)"
            $0.candidates = context.pool.map { named in
                Candidate.with {
                    $0.caseID = named.id.wireForm
                    $0.sourceName = named.sourceName
                    $0.score = scored[named.id]?.score ?? 0
                    $0.features = scored[named.id]?.features ?? []
                }
            }
            $0.annotated = annotated
            $0.topK = UInt32(experiment.design.candidateCount)
            $0.pick = UInt32(experiment.design.queryCount)
            $0.restriction = Restriction(experiment.design.restriction)
            $0.method = UncertaintyMethod(experiment.design.strategy)
            $0.zScoreFeatures = spec.zScoreFeatures
            $0.seed = context.machine.jobSeed(round: context.round.index, stream: 4)
        }
        let result = try await rpc.call(SelectorRPC.select, request, timeout: callTimeout)
        return try result.pickedCaseIds.map { text in
            guard let id = CaseID(wireForm: text), context.pool.contains(where: { $0.id == id }) else {
                throw RPCError(.internal, "the selector picked '\(text)', which is not in the pool")
            }
            return id
        }
    }

    private func startTraining(_ context: StepContext) async throws -> Bool {
        let plans = try context.machine.trainingPlans(round: context.round.index, annotated: context.annotated)
        let planned = try plans.map { try context.payloads.trainJob($0) }
        return try await changePhase(context, from: .annotating, to: .training, jobs: planned)
    }

    private func startEvaluation(_ context: StepContext) async throws -> Bool {
        let models = try await ModelRepository.models(
            of: context.experiment.id, round: context.round.index, on: database)
        let plans = context.machine.evaluationPlans(round: context.round.index, testCases: context.cohort.testCases)
        let planned = try plans.map { try context.payloads.scoreJob($0, models: models) }
        return try await changePhase(context, from: .training, to: .evaluating, jobs: planned)
    }

    private func evaluateReference(_ context: StepContext) async throws -> Bool {
        let experiment = context.experiment
        let members = try await ModelRepository.referenceMembers(
            datasetID: experiment.datasetID, profile: experiment.design.profile, on: database)
        guard !members.isEmpty else { return false }
        let plans = context.machine.referenceEvaluationPlans(
            round: context.round.index,
            testCases: context.cohort.testCases)
        let planned = try plans.map { try context.payloads.scoreJob($0, models: members) }
        let stored = try await JobRepository.enqueue(planned, on: database)
        try await jobs.publish(stored)
        return false
    }

    private func finishRound(_ context: StepContext, logger: Logger) async throws -> Bool {
        let experiment = context.experiment
        let index = context.round.index
        let test: RoundAnalysis
        do {
            test = try await equivalenceTest(context)
        } catch let error as RPCError where error.code == .invalidArgument || error.code == .failedPrecondition {
            // Dice the test cannot use (e.g. a full-data model without spread) stay so on every retry.
            return try await fail(
                experiment, reason: "round \(index): the equivalence test refused the Dice: \(error.message)")
        }
        let outcome = RoundRecord.Outcome(
            annotatedCount: context.annotated.count, meanDice: test.dice.mean,
            tostP: test.hasTost ? min(1, max(0, test.tost.p)) : nil,
            equivalent: test.tost.equivalent)
        let poolAfter = context.pool.count
        let continues = context.machine.continues(after: index, equivalent: outcome.equivalent, poolCount: poolAfter)
        let models = try await ModelRepository.models(of: experiment.id, round: index, on: database)
        let scoring =
            continues
            ? try context.machine.scoringPlans(round: index + 1, pool: context.pool, annotated: context.annotated).map {
                try context.payloads.scoreJob($0, models: models)
            }
            : []
        let stored: [JobRecord]? = try await database.withTransaction { transaction in
            guard try await ExperimentRepository.lockedExperiment(experiment.id, in: transaction)?.status == .running,
                try await RoundRepository.finish(index, of: experiment.id, outcome: outcome, on: transaction)
            else { return nil }
            if outcome.equivalent {
                try await ExperimentRepository.recordFirstEquivalentRound(index, of: experiment.id, on: transaction)
            }
            if continues {
                try await RoundRepository.open(index + 1, of: experiment.id, in: .scoring, on: transaction)
                return try await JobRepository.enqueue(scoring, on: transaction)
            }
            try await ExperimentRepository.transition(experiment.id, from: .running, to: .finished, on: transaction)
            return []
        }
        guard let stored else { return false }
        logger.info(
            "round finished",
            metadata: [
                "dice.mean": "\(outcome.meanDice)",
                "tost.p": "\(outcome.tostP.map { "\($0)" } ?? "none")",
                "equivalent": "\(outcome.equivalent)",
            ])
        await events.roundFinished(
            experiment.id, round: index, analysis: test,
            dataShare: dataShare(annotated: context.annotated.count, of: context.cohort.trainingCases.count))
        if continues {
            try await jobs.publish(stored)
            await events.roundStarted(experiment.id, round: index + 1, annotatedCases: context.annotated.count)
        } else {
            await events.experimentFinished(experiment.id, state: .finished, on: database)
        }
        return continues
    }

    /// The round's per-case test Dice against the full-data model's, through the stats service;
    /// only summarised where the dataset has no full-data model.
    private func equivalenceTest(_ context: StepContext) async throws -> RoundAnalysis {
        let experiment = context.experiment
        let models = try await ModelRepository.models(of: experiment.id, round: context.round.index, on: database)
        guard let model = models.first else {
            throw RPCError(.failedPrecondition, "round \(context.round.index) has no model")
        }
        func caseDice(_ dice: [CaseID: Double]) -> [CaseDice] {
            dice.map { id, value in
                CaseDice.with {
                    $0.caseID = id.wireForm
                    $0.dice = value
                }
            }
        }
        let roundDice = try await EvaluationRepository.dice(of: model.id, on: database)
        var referenceDice: [CaseID: Double] = [:]
        if context.state.reference != .unavailable {
            referenceDice = try await EvaluationRepository.referenceDice(
                datasetID: experiment.datasetID, profile: experiment.design.profile, on: database)
            guard !referenceDice.isEmpty else {
                throw RPCError(.failedPrecondition, "round \(context.round.index) has no reference model")
            }
        }
        let request = StatsRequest.with {
            $0.requestID = "\(experiment.id.wireForm)/\(context.round.index)"
            $0.rounds = [
                RoundDice.with {
                    $0.round = UInt32(context.round.index)
                    $0.annotatedCases = UInt32(context.annotated.count)
                    $0.dice = caseDice(roundDice)
                }
            ]
            $0.fullData = caseDice(referenceDice)
            $0.test = context.spec.test == .unspecified ? .paired : context.spec.test
            $0.alpha = 0.05
            $0.fullDataCases = UInt32(context.cohort.trainingCases.count)
        }
        let result = try await rpc.call(StatsRPC.analyze, request, timeout: callTimeout)
        guard let analysis = result.rounds.first else {
            throw RPCError(.internal, "the stats service returned no analysis for round \(context.round.index)")
        }
        return analysis
    }
}
