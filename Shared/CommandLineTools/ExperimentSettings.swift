import ArgumentParser
import Profiles
import Proto

/// The options that define an experiment, shared by `experiment create` and `experiment compare`:
/// a profile supplies every size, and the options override the active-learning ones.
struct ExperimentSettings: ParsableArguments {
    @Option(help: "The ingested dataset's id.")
    var dataset: String

    @Option(help: "Sizes everything: tiny, cpu or paper.")
    var profile: String = "cpu"

    @Option(name: .customLong("seed"), help: "One repetition per seed (repeat the option); fixes the initial set and every job.")
    var seeds: [UInt64] = [1]

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
        guard !seeds.isEmpty else { throw ValidationError("give at least one --seed") }
    }

    func resolvedProfile() throws -> ExperimentProfile {
        do {
            return try ExperimentProfile(named: profile)
        } catch {
            throw ValidationError("--profile: \(error)")
        }
    }

    /// The full specification of one strategy's experiment under these settings.
    func spec(for strategy: StrategyName, name: String) throws -> ExperimentSpec {
        let profile = try resolvedProfile()
        let defaults = profile.activeLearning
        return ExperimentSpec.with {
            $0.name = name
            $0.datasetID = dataset
            $0.strategy = strategy.method
            $0.restriction = strategy.restriction
            $0.initialCases = initial ?? UInt32(defaults.initialCount)
            $0.topK = topK ?? UInt32(defaults.candidateCount)
            $0.pick = pick ?? UInt32(defaults.queryCount)
            $0.stop = StopRule.with {
                $0.maxRounds = rounds ?? UInt32(defaults.rounds)
                $0.atEquivalence = stopAtEquivalence
            }
            $0.seeds = seeds
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
