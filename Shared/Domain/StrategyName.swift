/// A strategy and its restriction as the paper's tables spell them, the restriction after a `+`
/// (`dropout-train-test+representative`; plain `bootstrap` for no restriction). The command line
/// parses it and the report and comparison print it, so every place a strategy is named reads the
/// same.
public struct StrategyName: Sendable, Hashable, CustomStringConvertible {
    public var strategy: Strategy
    public var restriction: RedundancyRestriction

    public init(strategy: Strategy, restriction: RedundancyRestriction = .none) {
        self.strategy = strategy
        self.restriction = restriction
    }

    /// Parses the spelled form; nil for an unknown strategy or restriction, for `none` spelled out
    /// (no restriction is written as none), and for a restriction on a strategy that ranks nothing
    /// (random query), which no experiment can run.
    public init?(_ text: String) {
        let parts = text.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let strategy = Strategy(rawValue: parts[0]) else { return nil }
        var restriction = RedundancyRestriction.none
        if parts.count == 2 {
            guard let named = RedundancyRestriction(rawValue: parts[1]), named != .none, strategy.ranksPool else {
                return nil
            }
            restriction = named
        }
        self.init(strategy: strategy, restriction: restriction)
    }

    public var description: String {
        restriction == .none ? strategy.rawValue : "\(strategy.rawValue)+\(restriction.rawValue)"
    }
}
