import Domain
import Proto

/// The paper's comparison table from single experiments: the experiments compared are grouped by
/// strategy and restriction, each group being one strategy's repetitions, and each group gives one
/// `StrategyOutcome` averaged over its repetitions.
///
/// The baseline is a group too: the experiments compared that share the baseline experiment's
/// strategy and restriction (random query, in the paper). A strategy's share of the baseline is its
/// mean share divided by the baseline group's mean share, as the paper relates the mean data needed
/// by each strategy to random query's; it is left at zero while either group has no equivalent
/// repetition.
enum StrategyComparison {
    /// One experiment as the comparison counts it.
    struct Repetition: Sendable, Equatable {
        var experimentID: String
        var strategy: Strategy
        var restriction: RedundancyRestriction
        var repetition: Int
        /// The share of the training data annotated at the first equivalent round; nil while no
        /// round was equivalent.
        var equivalentShare: Double?
    }

    /// One outcome per strategy and restriction, in the order the groups first appear in
    /// `repetitions`. An outcome names its group's first repetition (the lowest repetition index),
    /// whose status a client can show for the group.
    static func outcomes(_ repetitions: [Repetition], baseline: Repetition) -> [StrategyOutcome] {
        var order: [Key] = []
        var groups: [Key: [Repetition]] = [:]
        for repetition in repetitions {
            let key = Key(repetition)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(repetition)
        }
        let baselineShare = groups[Key(baseline)].flatMap(meanShare)
        return order.map { key in
            let group = groups[key]!
            let first = group.enumerated().min {
                ($0.element.repetition, $0.offset) < ($1.element.repetition, $1.offset)
            }!
            return StrategyOutcome.with {
                $0.experimentID = first.element.experimentID
                $0.strategy = UncertaintyMethod(key.strategy)
                $0.restriction = Restriction(key.restriction)
                $0.repetitions = UInt32(group.count)
                $0.equivalentRepetitions = UInt32(group.filter { $0.equivalentShare != nil }.count)
                if let share = meanShare(group) {
                    $0.share = share
                    if let baselineShare, baselineShare > 0 { $0.shareOfBaseline = share / baselineShare }
                }
            }
        }
    }

    /// The mean share over the repetitions that reached equivalence; nil when none did.
    private static func meanShare(_ group: [Repetition]) -> Double? {
        let shares = group.compactMap(\.equivalentShare)
        return shares.isEmpty ? nil : shares.reduce(0, +) / Double(shares.count)
    }

    private struct Key: Hashable {
        var strategy: Strategy
        var restriction: RedundancyRestriction

        init(_ repetition: Repetition) {
            strategy = repetition.strategy
            restriction = repetition.restriction
        }
    }
}
