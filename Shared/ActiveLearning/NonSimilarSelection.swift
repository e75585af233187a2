/// Non-similar selection: repeatedly add the remaining candidate p with the least total similarity
/// Σ_{q ∈ annotated ∪ picked} cos(h_p, h_q) to the annotated cases and to this round's picks.
///
/// The totals are kept per candidate and updated with one row after each pick (O(K) per pick);
/// ties go to the candidate earlier in the top-K order (the more uncertain).
enum NonSimilarSelection {
    /// Indices into the rows of `candidates`, in pick order.
    static func select(_ candidates: FeatureMatrix, annotated: FeatureMatrix, count k: Int) -> [Int] {
        let n = candidates.rows
        var total = [Double](repeating: 0, count: n)
        if annotated.rows > 0 {
            let toAnnotated = candidates.cosineSimilarities(to: annotated)
            for p in 0..<n {
                for a in 0..<annotated.rows { total[p] += Double(toAnnotated[p * annotated.rows + a]) }
            }
        }
        let similarity = candidates.cosineSimilarities()
        var remaining = [Bool](repeating: true, count: n)
        var picked: [Int] = []
        while picked.count < min(k, n) {
            var best = -1
            for p in 0..<n where remaining[p] && (best < 0 || total[p] < total[best]) { best = p }
            picked.append(best)
            remaining[best] = false
            for p in 0..<n { total[p] += Double(similarity[p * n + best]) }
        }
        return picked
    }
}
