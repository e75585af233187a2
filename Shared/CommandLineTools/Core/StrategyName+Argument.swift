import ArgumentParser
import Domain

/// A strategy on the command line is typed as the paper's tables spell it (see ``StrategyName``).
extension StrategyName: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }

    public static var allValueStrings: [String] {
        Strategy.allCases.map(\.rawValue)
            + RedundancyRestriction.allCases.filter { $0 != .none }.map { "dropout-train-test+\($0.rawValue)" }
    }

    /// The four strategies the main job compares by default: the baseline, the paper's best
    /// method alone and with the representative restriction, and the ensemble.
    static let standard: [StrategyName] = [
        StrategyName(strategy: .random), StrategyName(strategy: .dropoutTrainTest), StrategyName(strategy: .bootstrap),
        StrategyName(strategy: .dropoutTrainTest, restriction: .representative),
    ]
    /// The standard four and the other strategies of the paper's Table 3.
    static let all: [StrategyName] =
        standard + [
            StrategyName(strategy: .dropoutTest), StrategyName(strategy: .margins),
            StrategyName(strategy: .dropoutTrainTest, restriction: .nonSimilar),
        ]
}
