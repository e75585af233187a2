import SeededRandom

/// The random-query baseline: a seeded shuffle of the unannotated cases.
///
/// The cases are sorted by id before shuffling, so the query depends only on the set of cases and
/// the seed, never on the order a database returned them in. The shuffle is Fisher–Yates with
/// Lemire's unbiased bounded draw, written out here rather than taken from the standard library,
/// whose `shuffle(using:)` does not promise the same sequence across Swift versions.
public enum RandomQuery {
    /// All `caseIDs` in seeded random order.
    public static func order(_ caseIDs: [String], seed: UInt64) throws -> [String] {
        var cases = caseIDs.sorted()
        for (previous, next) in zip(cases, cases.dropFirst()) where previous == next {
            throw ActiveLearningError(.duplicateCase, subject: "case \(next)", detail: "listed twice for random query")
        }
        var generator = SeededGenerator(seed: seed)
        for i in stride(from: cases.count - 1, to: 0, by: -1) {
            cases.swapAt(i, Int(boundedDraw(below: UInt64(i + 1), using: &generator)))
        }
        return cases
    }

    /// The first `count` cases of `order` (all of them if there are fewer).
    public static func select(_ caseIDs: [String], count: Int, seed: UInt64) throws -> [String] {
        guard count >= 0 else {
            throw ActiveLearningError(.invalidParameter, subject: "random query", detail: "count must not be negative, got \(count)")
        }
        return Array(try order(caseIDs, seed: seed).prefix(count))
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
