import ArgumentParser
import Proto

/// A strategy as a person types it: an uncertainty method, optionally with a redundancy
/// restriction after a `+` (`dropout-train-test+representative`), the names the paper's tables use.
struct StrategyName: Hashable, Sendable, ExpressibleByArgument, CustomStringConvertible {
    var method: UncertaintyMethod
    var restriction: Restriction

    static let methods: [(String, UncertaintyMethod)] = [
        ("random", .random), ("dropout-train-test", .dropoutTrainTest), ("dropout-test", .dropoutTest),
        ("bootstrap", .bootstrap), ("margins", .margins), ("entropy", .entropy), ("bald", .bald),
    ]
    static let restrictions: [(String, Restriction)] = [("representative", .representative), ("non-similar", .nonSimilar)]

    /// The four strategies the main job compares by default: the baseline, the paper's best
    /// method alone and with the representative restriction, and the ensemble.
    static let standard: [StrategyName] = ["random", "dropout-train-test", "bootstrap", "dropout-train-test+representative"]
        .compactMap(StrategyName.init(argument:))
    /// The standard four and the other strategies of the paper's Table 3.
    static let all: [StrategyName] = standard
        + ["dropout-test", "margins", "dropout-train-test+non-similar"].compactMap(StrategyName.init(argument:))

    init(method: UncertaintyMethod, restriction: Restriction) {
        self.method = method
        self.restriction = restriction
    }

    init?(argument: String) {
        let parts = argument.split(separator: "+", maxSplits: 1).map(String.init)
        guard let method = Self.methods.first(where: { $0.0 == parts[0] })?.1 else { return nil }
        var restriction = Restriction.none
        if parts.count == 2 {
            guard let named = Self.restrictions.first(where: { $0.0 == parts[1] })?.1 else { return nil }
            restriction = named
        }
        self.init(method: method, restriction: restriction)
    }

    var description: String {
        let method = Self.methods.first { $0.1 == self.method }?.0 ?? "\(self.method)"
        guard let restriction = Self.restrictions.first(where: { $0.1 == self.restriction })?.0 else { return method }
        return "\(method)+\(restriction)"
    }

    static var allValueStrings: [String] {
        methods.map(\.0) + restrictions.map { "dropout-train-test+\($0.0)" }
    }
}
