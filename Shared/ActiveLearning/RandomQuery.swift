import SeededRandom

/// The random-query baseline: a seeded shuffle of the unannotated cases.
///
/// The cases are sorted before shuffling, by a key the caller chooses (the case's source name in
/// an experiment, which a new import of the same cohort keeps while its ids change), so the query
/// depends only on the set of keys and the seed, never on the order a database returned the cases
/// in nor on ids drawn at import. The shuffle is Fisher–Yates with Lemire's unbiased bounded draw,
/// written out here rather than taken from the standard library, whose `shuffle(using:)` does not
/// promise the same sequence across Swift versions.
public enum RandomQuery {
    /// All `cases` in seeded random order, drawn over the order of their `key`s, which must be unique.
    public static func order<Case, Key: Comparable>(
        _ cases: [Case], by key: (Case) -> Key, seed: UInt64
    ) throws
        -> [Case]
    {
        var cases = cases.sorted { key($0) < key($1) }
        for (previous, next) in zip(cases, cases.dropFirst()) where key(previous) == key(next) {
            throw ActiveLearningError(
                .duplicateCase, subject: "case \(key(next))", detail: "listed twice for random query")
        }
        var generator = SeededGenerator(seed: seed)
        for i in stride(from: cases.count - 1, to: 0, by: -1) {
            cases.swapAt(i, Int(boundedDraw(below: UInt64(i + 1), using: &generator)))
        }
        return cases
    }

    /// All `cases` in seeded random order, drawn over their own order.
    public static func order<Case: Comparable>(_ cases: [Case], seed: UInt64) throws -> [Case] {
        try order(cases, by: { $0 }, seed: seed)
    }

    /// The first `count` cases of `order(_:by:seed:)` (all of them if there are fewer).
    public static func select<Case, Key: Comparable>(
        _ cases: [Case], by key: (Case) -> Key, count: Int,
        seed: UInt64
    ) throws -> [Case] {
        guard count >= 0 else {
            throw ActiveLearningError(
                .invalidParameter, subject: "random query", detail: "count must not be negative, got \(count)")
        }
        return Array(try order(cases, by: key, seed: seed).prefix(count))
    }

    /// The first `count` cases of `order(_:seed:)` (all of them if there are fewer).
    public static func select<Case: Comparable>(_ cases: [Case], count: Int, seed: UInt64) throws -> [Case] {
        try select(cases, by: { $0 }, count: count, seed: seed)
    }

    /// A uniform integer in 0..<bound (Lemire, "Fast Random Integer Generation in an Interval", 2019).
    static func boundedDraw(below bound: UInt64, using generator: inout SeededGenerator) -> UInt64 {
        var product = generator.next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = generator.next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }
}
