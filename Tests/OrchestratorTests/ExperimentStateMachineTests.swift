import ActiveLearning
import Domain
import Foundation
import Orchestration
import Testing

/// The round logic alone: no database, no bus.
struct ExperimentStateMachineTests {
    let machine: ExperimentStateMachine

    init() {
        machine = Self.machine(strategy: .margins)
    }

    static func machine(
        strategy: Strategy, restriction: RedundancyRestriction = .none,
        maxRounds: Int = 3, stopAtEquivalence: Bool = false, seed: Int64 = 5,
        coldStart: ColdStart = .off
    ) -> ExperimentStateMachine {
        let design = ExperimentDesign(
            strategy: strategy, restriction: restriction, initialCount: 4, candidateCount: 4, queryCount: 2,
            maxRounds: maxRounds, stopAtEquivalence: stopAtEquivalence, dropoutPasses: nil,
            bootstrapMembers: strategy == .bootstrap ? 4 : nil, seed: seed, profile: .tiny)
        return ExperimentStateMachine(
            experimentID: ExperimentID(wireForm: "00000000-0000-4000-8000-0000000000e1")!,
            datasetID: DatasetID(wireForm: "00000000-0000-4000-8000-0000000000d1")!,
            design: design, validationFraction: 0.2, coldStart: coldStart)
    }

    static let names = (0..<20).map { String(format: "Synth_%02d", $0) }
    static let cases = zip(
        (0..<20).map { CaseID(wireForm: String(format: "00000000-0000-4000-8000-%012d", $0))! }, names
    )
    .map(NamedCase.init)
    /// The same cohort imported again: the same names under new ids, which sort the other way round.
    static let reimported = zip(
        (0..<20).map { CaseID(wireForm: String(format: "00000000-0000-4000-9000-%012d", 19 - $0))! },
        names
    ).map(NamedCase.init)

    @Test func roundZeroDrawsTheInitialSetAndLaterRoundsAskTheSelector() {
        #expect(machine.step(for: RoundState(index: 0, phase: .selecting)) == .selectInitialSet)
        #expect(machine.step(for: RoundState(index: 2, phase: .selecting)) == .selectFromScores)
    }

    @Test func aPhaseWaitsForItsOutstandingJobs() {
        let running = JobTally(total: 5, succeeded: 3)
        for phase in [RoundPhase.scoring, .training, .evaluating] {
            #expect(
                machine.step(for: RoundState(index: 1, phase: phase, jobs: running)) == .wait(.jobs(outstanding: 2)))
        }
        #expect(
            machine.step(for: RoundState(index: 1, phase: .scoring, jobs: JobTally(total: 5, succeeded: 5)))
                == .selectFromScores)
        #expect(
            machine.step(for: RoundState(index: 1, phase: .training, jobs: JobTally(total: 4, succeeded: 4)))
                == .startEvaluation)
    }

    @Test func aFailedJobFailsTheExperimentWithItsReason() {
        let tally = JobTally(total: 3, succeeded: 1, failed: 1, firstFailure: "case 7: corrupt image")
        #expect(
            machine.step(for: RoundState(index: 2, phase: .training, jobs: tally))
                == .fail(reason: "round 2: case 7: corrupt image"))
    }

    @Test func humanAnnotationWaitsForEveryLabel() {
        #expect(
            machine.step(for: RoundState(index: 1, phase: .annotating, missingLabels: 2)) == .wait(.labels(missing: 2)))
        #expect(machine.step(for: RoundState(index: 1, phase: .annotating, missingLabels: 0)) == .startTraining)
    }

    @Test func roundZeroExtendsItsAnnotationsWhileTooFewShowATumor() {
        let machine = Self.machine(strategy: .random, coldStart: ColdStart(tumorShare: 0.5, minimumTumorVoxels: 30))
        func step(_ index: Int, _ voxels: [Int?], pool: Int = 10, missing: Int = 0) -> RoundStep {
            machine.step(
                for: RoundState(
                    index: index, phase: .annotating, missingLabels: missing,
                    annotatedLabelVoxels: voxels, poolCount: pool))
        }
        #expect(step(0, [0, 0, 500, 12]) == .extendInitialSet)
        #expect(step(0, [0, 0, 500, 12, 0, 40]) == .startTraining)
        #expect(
            step(0, [0, 0, 500, 12], missing: 1) == .wait(.labels(missing: 1)), "a label still out may show a tumor")
        #expect(step(0, [0, 0, 500, 12], pool: 0) == .startTraining, "nothing left to add")
        #expect(step(1, [0, 0, 500, 12, 0, 0]) == .startTraining, "only round 0 is extended")
        #expect(
            Self.machine(strategy: .random).step(
                for: RoundState(
                    index: 0, phase: .annotating,
                    annotatedLabelVoxels: [0, 0, 0, 0], poolCount: 10))
                == .startTraining, "no cold start")
    }

    @Test func extendingOneCaseAtATimeEndsWithTheSetTheRuleDrawsWithEveryLabelKnown() throws {
        let rule = ColdStart(tumorShare: 0.5, minimumTumorVoxels: 30)
        let machine = Self.machine(strategy: .random, coldStart: rule)
        // Two cases of twenty show a tumor, so a draw of 4 holds too few.
        let voxels = Dictionary(
            uniqueKeysWithValues: Self.cases.enumerated().map { ($1.id, [3, 16].contains($0) ? 200 : 0) })
        var picked = try machine.initialSet(from: Self.cases)
        while machine.step(
            for: RoundState(
                index: 0, phase: .annotating, annotatedLabelVoxels: picked.map { voxels[$0.id] },
                poolCount: Self.cases.count - picked.count)) == .extendInitialSet
        {
            picked.append(try #require(try machine.initialExtension(from: Self.cases, picked: Set(picked.map(\.id)))))
        }
        let order = try RandomQuery.order(Self.cases, seed: machine.jobSeed(round: 0, stream: 0))
        #expect(picked == rule.initialSet(order, initialCount: 4) { voxels[$0.id] })
        #expect(picked.count > 4 && picked.filter { voxels[$0.id]! > 0 }.count == 2)
    }

    @Test func equivalenceWaitsForTheEvaluatedFullDataModel() {
        let evaluated = JobTally(total: 4, succeeded: 4)
        func step(_ reference: ReferenceState) -> RoundStep {
            machine.step(for: RoundState(index: 0, phase: .evaluating, jobs: evaluated, reference: reference))
        }
        #expect(step(.training) == .wait(.reference))
        #expect(step(.evaluating) == .wait(.reference))
        #expect(step(.unevaluated) == .evaluateReference)
        #expect(step(.ready) == .testEquivalence)
        #expect(step(.failed(reason: "out of memory")) == .fail(reason: "full-data model: out of memory"))
        #expect(step(.unavailable) == .finishWithoutReference)
    }

    @Test func roundsStopAtTheLimitAtEquivalenceWhenAskedAndWhenThePoolIsEmpty() {
        #expect(machine.continues(after: 2, equivalent: true, poolCount: 10))
        #expect(!machine.continues(after: 3, equivalent: false, poolCount: 10))
        #expect(!machine.continues(after: 1, equivalent: false, poolCount: 0))
        let stopping = Self.machine(strategy: .margins, stopAtEquivalence: true)
        #expect(!stopping.continues(after: 1, equivalent: true, poolCount: 10))
        #expect(stopping.continues(after: 1, equivalent: false, poolCount: 10))
    }

    @Test func theInitialSetDependsOnTheSeedAndNotOnTheOrderOfTheCases() throws {
        let first = try machine.initialSet(from: Self.cases)
        #expect(first.count == 4)
        #expect(Set(first).isSubset(of: Set(Self.cases)))
        #expect(try machine.initialSet(from: Self.cases.reversed()) == first)
        #expect(try Self.machine(strategy: .margins, seed: 6).initialSet(from: Self.cases) != first)
    }

    @Test func aNewImportOfTheCohortGetsTheSamePicksSplitsAndOrdersByName() throws {
        let names = Dictionary(uniqueKeysWithValues: (Self.cases + Self.reimported).map { ($0.id, $0.sourceName) })
        func byName(_ ids: [CaseID]) -> [String] { ids.map { names[$0]! } }
        let machine = Self.machine(strategy: .bootstrap, restriction: .nonSimilar)
        #expect(
            try machine.initialSet(from: Self.cases).map(\.sourceName)
                == machine.initialSet(from: Self.reimported.reversed()).map(\.sourceName))

        let plans = try [Self.cases, Self.reimported].map { cohort in
            try machine.trainingPlans(round: 2, annotated: Array(cohort.prefix(10)))
        }
        #expect(plans[0].map { byName($0.trainingCases) } == plans[1].map { byName($0.trainingCases) })
        #expect(plans[0].map { byName($0.validationCases) } == plans[1].map { byName($0.validationCases) })
        #expect(plans[0].map(\.seed) == plans[1].map(\.seed))

        let references = try [Self.cases, Self.reimported].map { cohort in
            try ExperimentStateMachine.referencePlans(
                datasetID: .random(), profile: .tiny, trainingCases: cohort,
                validationFraction: 0.2, seed: 9, members: 2)
        }
        #expect(references[0].map { byName($0.trainingCases) } == references[1].map { byName($0.trainingCases) })
        #expect(references[0].map { byName($0.validationCases) } == references[1].map { byName($0.validationCases) })
        #expect(references[0].map(\.seed) == references[1].map(\.seed))

        let scoring = [Self.cases, Self.reimported].map { cohort in
            machine.scoringPlans(round: 2, pool: Array(cohort.prefix(12)), annotated: Array(cohort.suffix(8)))
        }
        #expect(byName(scoring[0].map(\.caseID)) == byName(scoring[1].map(\.caseID)))
    }

    @Test func trainingHoldsOutTheValidationShareOnceForEveryMember() throws {
        let annotated = Array(Self.cases.prefix(10))
        let single = try machine.trainingPlans(round: 1, annotated: annotated)
        #expect(single.count == 1)
        #expect(single[0].member == nil)
        #expect(single[0].validationCases.count == 2)
        #expect(Set(single[0].trainingCases + single[0].validationCases) == Set(annotated.map(\.id)))

        let members = try Self.machine(strategy: .bootstrap).trainingPlans(round: 1, annotated: annotated)
        #expect(members.map(\.member) == [0, 1, 2, 3])
        #expect(Set(members.map(\.validationCases)).count == 1)
        #expect(Set(members.map(\.seed)).count == 4)
        #expect(Set(members.map(\.key)).count == 4)
        // Planned again (a restart), the same work has the same keys and seeds.
        #expect(
            try Self.machine(strategy: .bootstrap).trainingPlans(round: 1, annotated: annotated.reversed()) == members)
    }

    @Test func scoreAndEvaluationJobsHaveOneKeyPerCaseAndRound() {
        let pool = Array(Self.cases.prefix(6))
        let annotated = Array(Self.cases.suffix(4))
        let scoring = machine.scoringPlans(round: 2, pool: pool, annotated: annotated)
        let evaluation = machine.evaluationPlans(round: 2, testCases: pool)
        #expect(Set((scoring + evaluation).map(\.key)).count == 12)
        #expect(scoring.allSatisfy { $0.role == .candidate } && evaluation.allSatisfy { $0.role == .test })
        #expect(
            Set(machine.scoringPlans(round: 3, pool: pool, annotated: annotated).map(\.key))
                .isDisjoint(with: scoring.map(\.key)))
        #expect(Self.machine(strategy: .random).scoringPlans(round: 2, pool: pool, annotated: annotated).isEmpty)
    }

    @Test(arguments: [RedundancyRestriction.none, .representative])
    func onlyThePoolIsScoredWithoutTheNonSimilarRestriction(_ restriction: RedundancyRestriction) {
        let machine = Self.machine(strategy: .dropoutTrainTest, restriction: restriction)
        let scoring = machine.scoringPlans(
            round: 1, pool: Array(Self.cases.prefix(6)), annotated: Array(Self.cases.suffix(4)))
        #expect(scoring.map(\.caseID) == Self.cases.prefix(6).map(\.id))
    }

    @Test func theNonSimilarRestrictionAlsoScoresTheAnnotatedCasesForTheirFeatures() {
        let machine = Self.machine(strategy: .dropoutTrainTest, restriction: .nonSimilar)
        let pool = Array(Self.cases.prefix(6))
        let annotated = Array(Self.cases.suffix(4))
        let scoring = machine.scoringPlans(round: 2, pool: pool, annotated: annotated)
        #expect(Set(scoring.map(\.caseID)) == Set((pool + annotated).map(\.id)))
        #expect(scoring.allSatisfy { $0.role != .test && $0.round == 2 })
        #expect(scoring.filter { $0.role == .annotated }.map(\.caseID) == annotated.sorted().map(\.id))
        // The scoring phase waits for the annotated cases' jobs as for the pool's.
        #expect(Set(scoring.map(\.key)).count == 10)
        #expect(
            scoring.filter { $0.key.hasPrefix(ExperimentStateMachine.jobKeyPrefix(of: .scoring) ?? "-") }.count == 10)
        // Planned again after a restart, with the cases in another order, the jobs are the same.
        #expect(machine.scoringPlans(round: 2, pool: pool.reversed(), annotated: annotated.reversed()) == scoring)
        #expect(
            Self.machine(strategy: .random, restriction: .nonSimilar)
                .scoringPlans(round: 2, pool: pool, annotated: annotated).isEmpty)
    }

    @Test func aPhaseCountsOnlyItsOwnJobs() {
        let jobs: [(key: String, round: Int?)] = [
            ("train/x/1/model", 1), ("score/x/1/a", 1), ("evaluate/x/1/b", 1),
            ("evaluate/x/0/b", 0), ("reference/d/tiny/evaluate/b", 1),
        ]
        // As `JobRepository.counts` selects them: the round's jobs whose key has the phase's prefix.
        func waitedFor(_ phase: RoundPhase) -> [String] {
            guard let prefix = ExperimentStateMachine.jobKeyPrefix(of: phase) else { return [] }
            return jobs.filter { $0.round == 1 && $0.key.hasPrefix(prefix) }.map(\.key)
        }
        #expect(waitedFor(.training) == ["train/x/1/model"])
        #expect(waitedFor(.scoring) == ["score/x/1/a"])
        #expect(waitedFor(.evaluating) == ["evaluate/x/1/b"])
        #expect(waitedFor(.annotating).isEmpty)
    }

    @Test func theReferenceModelIsPlannedTheSameWayForEveryExperiment() throws {
        let dataset = DatasetID.random()
        let a = try ExperimentStateMachine.referencePlans(
            datasetID: dataset, profile: .tiny, trainingCases: Self.cases,
            validationFraction: 0.2, seed: 9, members: 3)
        let b = try ExperimentStateMachine.referencePlans(
            datasetID: dataset, profile: .tiny,
            trainingCases: Self.cases.shuffled(), validationFraction: 0.2, seed: 9, members: 3)
        #expect(a == b)
        #expect(a.map(\.member) == [0, 1, 2])
        #expect(a.allSatisfy { $0.validationCases.count == 4 && $0.trainingCases.count == 16 })
        #expect(a.allSatisfy { $0.trainingCases == a[0].trainingCases && $0.validationCases == a[0].validationCases })
        let base = ExperimentStateMachine.referenceKey(datasetID: dataset, profile: .tiny)
        #expect(a.map(\.key) == [base + "/member-0", base + "/member-1", base + "/member-2"])
    }

    @Test func theReferenceMembersDifferOnlyInTheirSeedAndTheFirstKeepsTheSplitSeed() throws {
        let plans = try ExperimentStateMachine.referencePlans(
            datasetID: .random(), profile: .cpu, trainingCases: Self.cases,
            validationFraction: 0.2, seed: 9, members: 3)
        #expect(plans[0].seed == 9)
        #expect(Set(plans.map(\.seed)).count == 3)
        let single = try ExperimentStateMachine.referencePlans(
            datasetID: .random(), profile: .cpu, trainingCases: Self.cases,
            validationFraction: 0.2, seed: 9, members: 1)
        #expect(single.map(\.seed) == [9] && single[0].trainingCases == plans[0].trainingCases)
    }
}
