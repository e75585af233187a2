import Profiles
import Proto
import Testing

/// Each kind of field that `ExperimentSpecLimits` refuses, and the profiles' own settings, which it
/// must accept.
@Suite struct ExperimentSpecLimitsTests {
    /// A spec with the profile's defaults, as `activeseg experiment create` sends it.
    static func spec(_ profile: ExperimentProfile, strategy: UncertaintyMethod = .bootstrap) -> ExperimentSpec {
        let defaults = profile.activeLearning
        return ExperimentSpec.with {
            $0.name = "limits"
            $0.strategy = strategy
            $0.initialCases = UInt32(defaults.initialCount)
            $0.topK = UInt32(defaults.candidateCount)
            $0.pick = UInt32(defaults.queryCount)
            $0.stop = StopRule.with { $0.maxRounds = UInt32(defaults.rounds) }
            $0.seeds = [1, 2]
            $0.profile = profile.proto
            $0.hyperParameters = profile.hyperParameters
            $0.bootstrapMembers = UInt32(defaults.bootstrapMembers)
            $0.passes = UInt32(profile.inference.passes)
            $0.testFraction = 0.2
            $0.validationFraction = defaults.validationFraction
        }
    }

    /// The violation `spec` raises under the cpu profile, or nil.
    static func violation(
        _ change: (inout ExperimentSpec) -> Void, strategy: UncertaintyMethod = .bootstrap
    )
        -> LimitViolation?
    {
        var spec = Self.spec(.cpu, strategy: strategy)
        change(&spec)
        do throws(LimitViolation) {
            try ExperimentSpecLimits.check(spec, profile: .cpu)
            return nil
        } catch {
            return error
        }
    }

    @Test("every profile's defaults lie within the limits, for every strategy", arguments: ExperimentProfile.all)
    func profileDefaultsAreWithinTheLimits(_ profile: ExperimentProfile) throws {
        for strategy in [UncertaintyMethod.random, .dropoutTrainTest, .dropoutTest, .bootstrap, .margins] {
            try ExperimentSpecLimits.check(Self.spec(profile, strategy: strategy), profile: profile)
        }
        try ExperimentSpecLimits.check(HyperParameters(), profile: profile)
    }

    @Test func aCountAboveItsBoundNamesTheFieldAndTheBound() {
        let refused = Self.violation { $0.bootstrapMembers = 1_000_000 }
        #expect(refused == LimitViolation(field: "bootstrap_members", value: "1000000", limit: "0…32"))
        #expect(refused?.description == "bootstrap_members is 1000000, outside its limit: 0…32")
        #expect(Self.violation { $0.stop.maxRounds = 1_001 }?.field == "stop.max_rounds")
    }

    @Test func aCountBelowItsBoundIsRefused() {
        #expect(
            Self.violation { $0.initialCases = 0 }
                == LimitViolation(
                    field: "initial_cases", value: "0",
                    limit: "1…10000"))
    }

    @Test func aDropoutRateOfOneIsRefused() {
        #expect(
            Self.violation { $0.hyperParameters.dropoutRate = 1 }
                == LimitViolation(field: "hyper_parameters.dropout_rate", value: "1.0", limit: "0.0…0.9"))
    }

    @Test func aNonFiniteValueIsRefused() {
        #expect(Self.violation { $0.hyperParameters.learningRate = .nan }?.field == "hyper_parameters.learning_rate")
        #expect(Self.violation { $0.validationFraction = .infinity }?.field == "validation_fraction")
    }

    @Test func aPatchEdgeTheNetworkCannotDivideIsRefused() {
        // The cpu network has 4 levels: a patch is halved three times, so its edge must divide by 8.
        #expect(
            Self.violation { $0.hyperParameters.patchEdge = 20 }
                == LimitViolation(
                    field: "hyper_parameters.patch_edge", value: "20",
                    limit: "a multiple of 8, the cpu network's size divisor"))
        #expect(Self.violation { $0.hyperParameters.patchEdge = 264 }?.limit == "1…256")
    }

    @Test func kAboveKIsRefused() {
        #expect(
            Self.violation {
                $0.topK = 4
                $0.pick = 5
            }
                == LimitViolation(field: "top_k", value: "4", limit: "at least pick (5)"))
    }

    @Test func seedsMustBeGivenDistinctAndFew() {
        #expect(
            Self.violation { $0.seeds = [] } == LimitViolation(field: "seeds", value: "0 seeds", limit: "1…100 seeds"))
        #expect(Self.violation { $0.seeds = Array(0...100) }?.value == "101 seeds")
        #expect(
            Self.violation { $0.seeds = [3, 3] }
                == LimitViolation(field: "seeds", value: "[3, 3]", limit: "distinct seeds"))
    }

    @Test func aLongNameIsRefused() {
        #expect(
            Self.violation { $0.name = String(repeating: "é", count: 201) }
                == LimitViolation(field: "name", value: "201 characters", limit: "0…200 characters"))
    }

    @Test func aStrategyNeedsTwoSamplesForAVariance() {
        #expect(
            Self.violation({ $0.bootstrapMembers = 1 }, strategy: .bootstrap)
                == LimitViolation(
                    field: "bootstrap_members", value: "1", limit: "at least 2 for the bootstrap strategy"))
        #expect(
            Self.violation({ $0.passes = 1 }, strategy: .dropoutTest)
                == LimitViolation(field: "passes", value: "1", limit: "at least 2 for the dropout strategies"))
        #expect(
            Self.violation(
                {
                    $0.bootstrapMembers = 0
                    $0.passes = 0
                }, strategy: .margins) == nil,
            "strategies that ignore the fields take them unset")
    }

    @Test func jobsAreCheckedAgainstTheSameLimits() {
        var parameters = ExperimentProfile.tiny.hyperParameters
        parameters.maxEpochs = 5_001
        #expect(throws: LimitViolation(field: "hyper_parameters.max_epochs", value: "5001", limit: "1…5000")) {
            try ExperimentSpecLimits.check(parameters, profile: .tiny)
        }
        #expect(throws: LimitViolation(field: "passes", value: "1001", limit: "0…1000")) {
            try ExperimentSpecLimits.check(ScoreJob.with { $0.passes = 1_001 })
        }
        #expect(throws: LimitViolation(field: "top_fraction", value: "2.0", limit: "1e-06…1.0")) {
            try ExperimentSpecLimits.check(ScoreJob.with { $0.topFraction = 2 })
        }
    }

    @Test func aSetZeroIsCheckedAndALeftOutFieldIsNot() throws {
        // 0 epochs is a value now, not "the profile's": it is refused; no momentum is allowed.
        #expect(Self.violation { $0.hyperParameters.maxEpochs = 0 }?.limit == "1…5000")
        #expect(Self.violation { $0.hyperParameters.momentum = 0 } == nil)
        var partial = HyperParameters()
        partial.learningRate = 0.01
        try ExperimentSpecLimits.check(partial, profile: .cpu)
        #expect(!partial.hasPatchEdge && !partial.hasMaxEpochs)
    }
}
