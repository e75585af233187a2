import Testing

@testable import ActiveLearning

@Suite struct RandomQueryTests {
    let cases = (1...40).map { "case-\($0)" }

    @Test func sameSeedGivesTheSameQueryWhateverTheInputOrder() throws {
        let forward = try RandomQuery.order(cases, seed: 7)
        let backward = try RandomQuery.order(cases.reversed(), seed: 7)
        #expect(forward == backward)
        #expect(Set(forward) == Set(cases) && forward.count == cases.count)
        #expect(forward != cases.sorted())
    }

    @Test func casesAreDrawnInTheOrderOfTheirKeysNotOfTheirIds() throws {
        // One cohort imported twice: the same names under ids that sort differently.
        let names = cases
        let first = names.enumerated().map { (id: "id-\($0.offset)", name: $0.element) }
        let second = names.enumerated().map { (id: "id-\(names.count - $0.offset)", name: $0.element) }
        let expected = try RandomQuery.order(names, seed: 7)
        #expect(try RandomQuery.order(first, by: \.name, seed: 7).map(\.name) == expected)
        #expect(try RandomQuery.order(second.reversed(), by: \.name, seed: 7).map(\.name) == expected)
        #expect(try RandomQuery.select(second, by: \.name, count: 3, seed: 7).map(\.name) == Array(expected.prefix(3)))
        #expect(throws: ActiveLearningError.self) {
            try RandomQuery.order([(id: "a", name: "x"), (id: "b", name: "x")], by: \.name, seed: 1)
        }
    }

    @Test func differentSeedsGiveDifferentQueries() throws {
        #expect(try RandomQuery.order(cases, seed: 7) != RandomQuery.order(cases, seed: 8))
    }

    @Test func queryMatchesAnIndependentTranscriptionOfTheAlgorithm() throws {
        // From scripts/vectors/random_query_vectors.py. The sequence is part of an experiment's
        // record: a change here breaks reproducibility.
        let six = try RandomQuery.order(["a", "b", "c", "d", "e", "f"], seed: 7)
        #expect(six == ["a", "f", "c", "d", "b", "e"])
        let ten = try RandomQuery.order((1...10).map { "case-\($0)" }, seed: 2024)
        #expect(
            ten == [
                "case-2", "case-3", "case-8", "case-5", "case-6", "case-4", "case-10", "case-9", "case-7", "case-1",
            ])
    }

    @Test func everyPositionIsReachable() throws {
        // Over many seeds, each case should lead the query about equally often.
        var firsts: [String: Int] = [:]
        for seed in 0..<3000 { firsts[try RandomQuery.order(["a", "b", "c"], seed: UInt64(seed))[0], default: 0] += 1 }
        #expect(firsts.count == 3)
        #expect(firsts.values.allSatisfy { (850...1150).contains($0) })
    }

    @Test func selectTakesAllWhenFewerCasesThanAsked() throws {
        #expect(try RandomQuery.select(["x", "y"], count: 5, seed: 1).sorted() == ["x", "y"])
        #expect(throws: ActiveLearningError.self) { try RandomQuery.select(["x", "y"], count: -1, seed: 1) }
        #expect(throws: ActiveLearningError.self) { try RandomQuery.order(["x", "x"], seed: 1) }
    }
}
