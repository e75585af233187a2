import Domain
import SeededRandom
import Testing

@testable import ActiveLearning

/// Features in three mutually orthogonal clusters of a 6-d space, with a little seeded noise.
enum Clusters {
    static func vector(cluster: Int, _ generator: inout SeededGenerator) -> [Float] {
        (0..<6).map { j in (j / 2 == cluster ? 1 : 0) + Float(0.05 * generator.nextGaussian()).magnitude }
    }
}

@Suite struct CaseSelectorTests {
    @Test func topKIsByScoreWithTiesBySourceName() throws {
        // The ids sort the other way round from the names, as a new import's ids may.
        let candidates = [("1", "D", 0.5), ("4", "B", 0.9), ("2", "A", 0.5), ("3", "C", 0.7), ("0", "E", 0.1)].map {
            SelectionCandidate(caseID: $0.0, sourceName: $0.1, score: $0.2)
        }
        let result = try CaseSelector(topK: 4, count: 3, restriction: .none).select(candidates)
        #expect(result.topK == ["4", "3", "2", "1"])
        #expect(result.picked == ["4", "3", "2"])
        #expect(result.note == nil)
    }

    @Test func fewerCandidatesThanKAreAllTakenWithANote() throws {
        let candidates = [
            SelectionCandidate(caseID: "a", sourceName: "A", score: 0.2),
            SelectionCandidate(caseID: "b", sourceName: "B", score: 0.4),
        ]
        let result = try CaseSelector(topK: 10, count: 5, restriction: .representative).select(candidates)
        #expect(result.picked == ["b", "a"])
        #expect(result.note?.contains("only 2 candidates for k = 5") == true)
    }

    @Test func budgetsAreValidated() {
        #expect(throws: ActiveLearningError.self) { try CaseSelector(topK: 4, count: 5, restriction: .none) }
        #expect(throws: ActiveLearningError.self) { try CaseSelector(topK: 4, count: 0, restriction: .none) }
    }

    @Test func inconsistentInputsAreRejectedNamingTheCase() throws {
        let selector = try CaseSelector(topK: 3, count: 1, restriction: .representative)
        let duplicate = [
            SelectionCandidate(caseID: "a", sourceName: "A", score: 1, features: [1]),
            SelectionCandidate(caseID: "a", sourceName: "A", score: 2, features: [1]),
        ]
        #expect(throws: ActiveLearningError.self) { try selector.select(duplicate) }
        let sameName = [
            SelectionCandidate(caseID: "a", sourceName: "A", score: 1, features: [1]),
            SelectionCandidate(caseID: "b", sourceName: "A", score: 1, features: [1]),
        ]
        #expect(throws: ActiveLearningError.self) { try selector.select(sameName) }
        let ragged = [
            SelectionCandidate(caseID: "a", sourceName: "A", score: 1, features: [1, 2]),
            SelectionCandidate(caseID: "b", sourceName: "B", score: 2, features: [1]),
        ]
        let error = try #require(throws: ActiveLearningError.self) { try selector.select(ragged) }
        #expect(error.code == .mismatchedSizes && error.description.contains("case a"))
        let nan = [
            SelectionCandidate(caseID: "a", sourceName: "A", score: .nan, features: [1]),
            SelectionCandidate(caseID: "b", sourceName: "B", score: 2, features: [1]),
        ]
        #expect(throws: ActiveLearningError.self) { try selector.select(nan) }
    }

    @Test func representativePicksOnePerCluster() throws {
        var generator = SeededGenerator(seed: 3)
        // Cluster 0 holds the most uncertain cases; without restriction all picks would come from it.
        let sizes = [6, 3, 3]
        var candidates: [SelectionCandidate] = []
        for (cluster, size) in sizes.enumerated() {
            for i in 0..<size {
                candidates.append(
                    SelectionCandidate(
                        caseID: "c\(cluster)-\(i)", sourceName: "C\(cluster)_\(i)",
                        score: Double(10 - 3 * cluster) - 0.1 * Double(i),
                        features: Clusters.vector(cluster: cluster, &generator)))
            }
        }
        let plain = try CaseSelector(topK: 12, count: 3, restriction: .none).select(candidates)
        #expect(plain.picked.allSatisfy { $0.hasPrefix("c0-") })
        let representative = try CaseSelector(topK: 12, count: 3, restriction: .representative).select(candidates)
        #expect(Set(representative.picked.map { $0.prefix(2) }) == ["c0", "c1", "c2"])
        // The largest cluster covers the most, so it is picked first.
        #expect(representative.picked[0].hasPrefix("c0-"))
    }

    @Test func nonSimilarAvoidsTheAnnotatedCluster() throws {
        var generator = SeededGenerator(seed: 4)
        var candidates: [SelectionCandidate] = []
        for cluster in 0..<3 {
            for i in 0..<3 {
                candidates.append(
                    SelectionCandidate(
                        caseID: "c\(cluster)-\(i)", sourceName: "C\(cluster)_\(i)",
                        score: Double(10 - cluster) - 0.1 * Double(i),
                        features: Clusters.vector(cluster: cluster, &generator)))
            }
        }
        let annotated = (0..<4).map { _ in Clusters.vector(cluster: 0, &generator) }
        let result = try CaseSelector(topK: 9, count: 2, restriction: .nonSimilar)
            .select(candidates, annotatedFeatures: annotated)
        #expect(Set(result.picked.map { $0.prefix(2) }) == ["c1", "c2"])
    }

    @Test func zScoringRemovesASharedOffsetThatHidesTheClusters() throws {
        var generator = SeededGenerator(seed: 5)
        // A large constant channel makes every raw cosine close to 1.
        func offset(_ v: [Float]) -> [Float] { v + [100] }
        var candidates: [SelectionCandidate] = []
        for cluster in 0..<3 {
            for i in 0..<3 {
                candidates.append(
                    SelectionCandidate(
                        caseID: "c\(cluster)-\(i)", sourceName: "C\(cluster)_\(i)",
                        score: Double(10 - cluster) - 0.1 * Double(i),
                        features: offset(Clusters.vector(cluster: cluster, &generator))))
            }
        }
        let annotated = (0..<3).map { _ in offset(Clusters.vector(cluster: 0, &generator)) }
        let selector = try CaseSelector(topK: 9, count: 2, restriction: .nonSimilar, standardizesFeatures: true)
        let result = try selector.select(candidates, annotatedFeatures: annotated)
        #expect(Set(result.picked.map { $0.prefix(2) }) == ["c1", "c2"])
    }

    @Test func resultDoesNotDependOnCandidateOrder() throws {
        var generator = SeededGenerator(seed: 6)
        let candidates = (0..<60).map { i in
            SelectionCandidate(
                caseID: "case-\(i)", sourceName: "Case_\(i)", score: Double(i % 7),
                features: (0..<16).map { _ in Float(generator.nextGaussian()) })
        }
        for restriction in RedundancyRestriction.allCases {
            let selector = try CaseSelector(topK: 30, count: 10, restriction: restriction)
            #expect(try selector.select(candidates) == selector.select(candidates.reversed()))
        }
    }
}

@Suite struct RepresentativeSelectionTests {
    @Test("lazy greedy equals plain greedy", arguments: [(7 as UInt64, 40, 8, 5), (8, 120, 30, 12), (9, 25, 25, 3)])
    func lazyGreedyEqualsPlainGreedy(seed: UInt64, candidates: Int, picks: Int, dimension: Int) {
        var generator = SeededGenerator(seed: seed)
        let vectors = (0..<candidates).map { _ in (0..<dimension).map { _ in Float(generator.nextGaussian()) } }
        let features = FeatureMatrix(vectors, dimension: dimension)
        #expect(RepresentativeSelection.select(features, count: picks) == plainGreedy(features, count: picks))
    }

    /// Greedy maximum set cover evaluated literally: at every step, the gain of every remaining y
    /// from the coverage max_{s ∈ S} sim(x, s) recomputed from scratch (F({y}) for the first pick),
    /// summed in the same order as the selector; ties to the lower index.
    func plainGreedy(_ features: FeatureMatrix, count k: Int) -> [Int] {
        let n = features.rows
        let sim = features.cosineSimilarities()
        var picked: [Int] = []
        while picked.count < k {
            var best = -1, bestGain = -Double.infinity
            for y in 0..<n where !picked.contains(y) {
                var gain = 0.0
                for x in 0..<n {
                    if picked.isEmpty {
                        gain += Double(sim[y * n + x])
                    } else {
                        let covered = picked.map { sim[$0 * n + x] }.max()!
                        gain += Double(max(0, sim[y * n + x] - covered))
                    }
                }
                if gain > bestGain { (best, bestGain) = (y, gain) }
            }
            picked.append(best)
        }
        return picked
    }

    @Test func cosineSimilaritiesAreSymmetricWithUnitDiagonal() {
        let features = FeatureMatrix([[3, 4, 0], [0, 0, 2], [1, 1, 1]], dimension: 3)
        let sim = features.cosineSimilarities()
        for i in 0..<3 {
            #expect(abs(sim[i * 3 + i] - 1) < 1e-6)
            for j in 0..<3 { #expect(sim[i * 3 + j] == sim[j * 3 + i]) }
        }
        #expect(abs(sim[0 * 3 + 2] - 7 / (5 * Float(3).squareRoot())) < 1e-6)
        #expect(sim[0 * 3 + 1] == 0)
    }
}
