import ActiveLearning
import Domain
import Foundation
import SeededRandom

/// The round logic of an active-learning experiment, with no I/O: given where a round stands it
/// says what to do next, and it plans the jobs and picks of each step deterministically from the
/// experiment's seed, so a step repeated after a restart plans exactly the same work. Cases come
/// as ``NamedCase``s and every draw and listing goes in source-name order, so the same seed plans
/// the same work, case for case by name, on a new import of the same cohort.
///
/// A round follows the schema's order: round 0 selects the random initial set, and extends it
/// along the same draw while its annotations show too few tumors (``ColdStart``); a later round
/// first scores the pool (and, under the non-similar restriction, the annotated cases for their
/// features) with the previous round's models, then selects. Then the picks are annotated (at
/// once with oracle annotation; when every label is imported with human annotation), the round's
/// model is trained (one job, or one per bootstrap member), evaluated on the test split, and
/// tested for equivalence with the full-data model, which finishes the round. Where no full-data
/// model can exist (an unlabelled pool under human annotation), the round finishes with its Dice
/// alone.
public struct ExperimentStateMachine: Sendable {
    public let experimentID: ExperimentID
    /// The dataset whose training split is the pool and whose test split every round is scored on.
    public let datasetID: DatasetID
    public let design: ExperimentDesign
    /// Share of the annotated cases held out for early stopping.
    public let validationFraction: Double
    /// How many of round 0's annotations must show a tumor before it trains.
    public let coldStart: ColdStart

    public init(
        experimentID: ExperimentID, datasetID: DatasetID, design: ExperimentDesign, validationFraction: Double,
        coldStart: ColdStart = .off
    ) {
        self.experimentID = experimentID
        self.datasetID = datasetID
        self.design = design
        self.validationFraction = validationFraction
        self.coldStart = coldStart
    }

    /// The next step for the current round.
    public func step(for round: RoundState) -> RoundStep {
        if let step = Self.jobStep(round.jobs, round: round.index) { return step }
        switch round.phase {
        case .scoring:
            return .selectFromScores
        case .selecting:
            return round.index == 0 ? .selectInitialSet : .selectFromScores
        case .annotating:
            if round.missingLabels > 0 { return .wait(.labels(missing: round.missingLabels)) }
            if round.index == 0, round.poolCount > 0,
                coldStart.needsAnotherCase(
                    initialCount: design.initialCount,
                    annotatedLabelVoxels: round.annotatedLabelVoxels)
            {
                return .extendInitialSet
            }
            return .startTraining
        case .training:
            return .startEvaluation
        case .evaluating:
            switch round.reference {
            case .training, .evaluating: return .wait(.reference)
            case .unevaluated: return .evaluateReference
            case .ready: return .testEquivalence
            case .unavailable: return .finishWithoutReference
            case .failed(let reason): return .fail(reason: "full-data model: \(reason)")
            }
        case .finished:
            // A finished round is followed by the next one or the end of the experiment in the same
            // transaction, so a running experiment whose latest round is finished has nothing left.
            return .wait(.jobs(outstanding: 0))
        }
    }

    /// The step the phase's jobs alone decide, before anything else about the round is known: fail
    /// when one failed, wait while any is outstanding; nil when they are all done. The orchestrator
    /// asks it first, since most steps are prompted by one of a round's thousands of job notices
    /// and find the phase still waiting.
    public static func jobStep(_ jobs: JobTally, round: Int) -> RoundStep? {
        if jobs.failed > 0 {
            return .fail(reason: "round \(round): \(jobs.firstFailure ?? "a job failed")")
        }
        if jobs.outstanding > 0 {
            return .wait(.jobs(outstanding: jobs.outstanding))
        }
        return nil
    }

    /// Whether another round follows the finished round `index`: not after the last allowed
    /// round, not after an equivalent round when the experiment stops there, and not when the pool
    /// has no case left to pick.
    public func continues(after index: Int, equivalent: Bool, poolCount: Int) -> Bool {
        if index >= design.maxRounds { return false }
        if design.stopAtEquivalence && equivalent { return false }
        return poolCount > 0
    }

    /// The seeded random initial set (n cases) from the training cases.
    public func initialSet(from trainingCases: [NamedCase]) throws -> [NamedCase] {
        try RandomQuery.select(trainingCases, count: design.initialCount, seed: jobSeed(round: 0, stream: 0))
    }

    /// The case that extends round 0's set: the first of the initial draw's order not picked yet,
    /// so the extended set is always a prefix of that draw.
    public func initialExtension(from trainingCases: [NamedCase], picked: Set<CaseID>) throws -> NamedCase? {
        try RandomQuery.order(trainingCases, seed: jobSeed(round: 0, stream: 0)).first { !picked.contains($0.id) }
    }

    /// The seed of a job (or draw) of `round`; `stream` tells apart the draws of one round.
    public func jobSeed(round: Int, stream: Int) -> UInt64 {
        var generator = SeededGenerator(
            seed: UInt64(bitPattern: design.seed), stream: UInt64(round) << 16 | UInt64(stream))
        return generator.next()
    }

    /// The training jobs of `round` on the annotated cases: one, or one per bootstrap member, each
    /// with its own seed and the same seeded split into training and validation cases, listed in
    /// the seeded order the trainer keeps.
    public func trainingPlans(round: Int, annotated: [NamedCase]) throws -> [TrainingPlan] {
        let (training, validation) = try Self.split(
            annotated, fraction: validationFraction,
            seed: jobSeed(round: round, stream: 1))
        let members: [Int?] =
            design.strategy == .bootstrap
            ? Array(0..<(design.bootstrapMembers ?? 1)).map(Optional.some) : [nil]
        return members.map { member in
            TrainingPlan(
                key: "train/\(experimentID.wireForm)/\(round)/" + (member.map { "member-\($0)" } ?? "model"),
                round: round, member: member, trainingCases: training, validationCases: validation,
                seed: jobSeed(round: round, stream: 16 + (member ?? 0)))
        }
    }

    /// Score jobs of `round` with `round - 1`'s models: one per pool case for its uncertainty and
    /// features; none for random query, which ranks nothing. The non-similar restriction compares
    /// the candidates with the annotated cases, by features of the same models, so under it every
    /// annotated case is scored again each round too, in the annotated role (the scorer stores only
    /// its features). A case is one job per round whatever its role, so the keys stay unique.
    public func scoringPlans(round: Int, pool: [NamedCase], annotated: [NamedCase]) -> [ScoringPlan] {
        guard design.strategy.ranksPool else { return [] }
        let candidates = Set(pool)
        let cases = design.restriction == .nonSimilar ? candidates.union(annotated) : candidates
        return cases.sorted().map { named in
            ScoringPlan(
                key: "score/\(experimentID.wireForm)/\(round)/\(named.id.wireForm)", round: round,
                caseID: named.id, role: candidates.contains(named) ? .candidate : .annotated,
                seed: jobSeed(round: round, stream: 2))
        }
    }

    /// Score jobs that measure the Dice of `round`'s model on every test case.
    public func evaluationPlans(round: Int, testCases: [NamedCase]) -> [ScoringPlan] {
        testCases.sorted().map(\.id).map { caseID in
            ScoringPlan(
                key: "evaluate/\(experimentID.wireForm)/\(round)/\(caseID.wireForm)", round: round,
                caseID: caseID, role: .test, seed: jobSeed(round: round, stream: 3))
        }
    }

    /// What the keys of the jobs a phase waits for start with, among those recorded for its round:
    /// the phases are told apart by their jobs' keys, and the full-data model's jobs are no round's.
    /// Nil for the phases that wait for no job.
    public static func jobKeyPrefix(of phase: RoundPhase) -> String? {
        switch phase {
        case .scoring: "score/"
        case .training: "train/"
        case .evaluating: "evaluate/"
        case .selecting, .annotating, .finished: nil
        }
    }

    /// The training jobs of the full-data reference of the experiment's dataset and profile, one
    /// per member: every training case, the validation share held out by a seed fixed per
    /// dataset, so every experiment plans the same jobs. The members share that split and differ
    /// in their seed only; member 0 trains with the split seed itself, as a reference of one
    /// model does.
    public static func referencePlans(
        datasetID: DatasetID, profile: ProfileName, trainingCases: [NamedCase],
        validationFraction: Double, seed: UInt64, members: Int
    ) throws -> [TrainingPlan] {
        let (training, validation) = try split(trainingCases, fraction: validationFraction, seed: seed)
        return (0..<members).map { member in
            var generator = SeededGenerator(seed: seed, stream: UInt64(member))
            return TrainingPlan(
                key: referenceMemberKey(datasetID: datasetID, profile: profile, member: member), round: 0,
                member: member, trainingCases: training, validationCases: validation,
                seed: member == 0 ? seed : generator.next())
        }
    }

    /// What the keys of the full-data reference's jobs start with: its members' training jobs
    /// and its evaluation jobs extend it.
    public static func referenceKey(datasetID: DatasetID, profile: ProfileName) -> String {
        referenceKeyPrefix + "\(datasetID.wireForm)/\(profile.rawValue)"
    }

    /// The key of the training job of the full-data reference's `member`.
    public static func referenceMemberKey(datasetID: DatasetID, profile: ProfileName, member: Int) -> String {
        referenceKey(datasetID: datasetID, profile: profile) + "/member-\(member)"
    }

    /// What the keys of the full-data models' jobs start with; their results concern every
    /// experiment on the model's dataset and profile.
    public static let referenceKeyPrefix = "reference/"

    /// Score jobs that measure the full-data reference's Dice on every test case (its members'
    /// mean probability map); they belong to the experiment round that found the reference
    /// unevaluated, and their keys are shared by all.
    public func referenceEvaluationPlans(round: Int, testCases: [NamedCase]) -> [ScoringPlan] {
        let base = Self.referenceKey(datasetID: datasetID, profile: design.profile)
        return testCases.sorted().map(\.id).map { caseID in
            ScoringPlan(
                key: base + "/evaluate/\(caseID.wireForm)", round: round, caseID: caseID, role: .test,
                seed: 0)
        }
    }

    /// `cases` in seeded random order, split into the cases a model is fitted to and the
    /// `fraction` held out for validation.
    static func split(
        _ cases: [NamedCase], fraction: Double, seed: UInt64
    ) throws
        -> (training: [CaseID], validation: [CaseID])
    {
        let order = try RandomQuery.order(cases, seed: seed).map(\.id)
        let held = ValidationHoldOut.count(of: cases.count, fraction: fraction)
        return (Array(order.dropFirst(held)), Array(order.prefix(held)))
    }
}
