import Domain
import Foundation
import Proto
import Testing

@testable import OrchestratorService

/// The comparison table from single experiments: repetitions of a strategy are averaged, and the
/// baseline is the whole group of the baseline experiment's strategy.
struct StrategyComparisonTests {
    typealias Repetition = StrategyComparison.Repetition

    static func run(
        _ id: String, _ strategy: Strategy, repetition: Int, share: Double?,
        restriction: RedundancyRestriction = .none
    ) -> Repetition {
        Repetition(
            experimentID: id, strategy: strategy, restriction: restriction, repetition: repetition,
            equivalentShare: share)
    }

    @Test func repetitionsAverageOverThoseThatReachedEquivalence() {
        let runs = [
            Self.run("r1", .random, repetition: 1, share: 0.6),
            Self.run("d0", .dropoutTrainTest, repetition: 0, share: 0.2),
            Self.run("r0", .random, repetition: 0, share: 0.5),
            Self.run("d1", .dropoutTrainTest, repetition: 1, share: nil),
            Self.run("d2", .dropoutTrainTest, repetition: 2, share: 0.4),
            Self.run("dr0", .dropoutTrainTest, repetition: 0, share: nil, restriction: .representative),
        ]
        let outcomes = StrategyComparison.outcomes(runs, baseline: runs[0])
        #expect(outcomes.map(\.experimentID) == ["r0", "d0", "dr0"], "each group is named by its first repetition")
        #expect(outcomes.map(\.strategy) == [.random, .dropoutTrainTest, .dropoutTrainTest])
        #expect(outcomes.map(\.restriction) == [.none, .none, .representative])
        #expect(outcomes.map(\.repetitions) == [2, 3, 1])
        #expect(outcomes.map(\.equivalentRepetitions) == [2, 2, 0])
        #expect(abs(outcomes[0].share - 0.55) < 1e-12)
        #expect(abs(outcomes[1].share - 0.3) < 1e-12)
        #expect(abs(outcomes[0].shareOfBaseline - 1) < 1e-12)
        #expect(abs(outcomes[1].shareOfBaseline - 0.3 / 0.55) < 1e-12)
        #expect(outcomes[2].share == 0 && outcomes[2].shareOfBaseline == 0, "no equivalent repetition, no share")
    }

    @Test func withoutAnEquivalentBaselineRepetitionNoShareOfBaselineIsGiven() {
        let runs = [
            Self.run("r0", .random, repetition: 0, share: nil),
            Self.run("m0", .margins, repetition: 0, share: 0.4),
        ]
        let outcomes = StrategyComparison.outcomes(runs, baseline: runs[0])
        #expect(outcomes[1].share == 0.4 && outcomes[1].shareOfBaseline == 0)
    }
}
