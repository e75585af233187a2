import ArgumentParser
import Domain
import Profiles
import Proto

/// The options that define an experiment, shared by `experiment create` and `experiment compare`:
/// a profile supplies every size, and the options override the active-learning ones.
struct ExperimentSettings: ParsableArguments {
    @Option(help: "The ingested dataset's id.")
    var dataset: String

    @Option(help: "Sizes everything: tiny, cpu or paper.")
    var profile: String = "cpu"

    @Option(help: "The first repetition's seed; repetition r uses seed + r. It fixes the initial set and every job.")
    var seed: UInt64 = 1

    @Option(help: "Rounds after round 0 (default: the profile's).")
    var rounds: UInt32?

    @Option(help: "Size of the random initial set (default: the profile's).")
    var initial: UInt32?

    @Option(help: "Candidates the restriction considers, K (default: the profile's).")
    var topK: UInt32?

    @Option(help: "Cases annotated per round, k (default: the profile's).")
    var pick: UInt32?

    @Flag(help: "Stop at the first round equivalent to the full-data model.")
    var stopAtEquivalence = false

    @Flag(help: "Wait for labels from `label import` instead of revealing the stored ones.")
    var human = false

    func validate() throws {
        _ = try resolvedProfile()
    }

    func resolvedProfile() throws -> ExperimentProfile {
        do {
            return try ExperimentProfile(named: profile)
        } catch {
            throw ValidationError("--profile: \(error)")
        }
    }

    /// The seeds of repetitions 0 through `repetition`: an experiment runs the last, and the ones
    /// before it tie it to the earlier repetitions of its comparison.
    func seeds(through repetition: Int) -> [UInt64] {
        (0...repetition).map { seed &+ UInt64($0) }
    }

    /// The full specification of one strategy's experiment, repetition `repetition`, under these
    /// settings.
    func spec(for strategy: StrategyName, name: String, repetition: Int = 0) throws -> ExperimentSpec {
        let profile = try resolvedProfile()
        let defaults = profile.activeLearning
        return ExperimentSpec.with {
            $0.name = name
            $0.datasetID = dataset
            $0.strategy = UncertaintyMethod(strategy.strategy)
            $0.restriction = Restriction(strategy.restriction)
            $0.initialCases = initial ?? UInt32(defaults.initialCount)
            $0.topK = topK ?? UInt32(defaults.candidateCount)
            $0.pick = pick ?? UInt32(defaults.queryCount)
            $0.stop = StopRule.with {
                $0.maxRounds = rounds ?? UInt32(defaults.rounds)
                $0.atEquivalence = stopAtEquivalence
            }
            $0.seeds = seeds(through: repetition)
            $0.profile = profile.proto
            $0.hyperParameters = profile.hyperParameters
            $0.bootstrapMembers = UInt32(defaults.bootstrapMembers)
            $0.passes = UInt32(profile.inference.passes)
            $0.annotation = human ? .human : .oracle
            $0.testFraction = 0.2
            $0.validationFraction = defaults.validationFraction
            $0.test = .paired
        }
    }
}
