/// Greedy maximum set cover over the top-K candidates (Yang et al., "Suggestive Annotation", 2017).
///
/// Picks S, |S| = k, greedily maximising F(S) = Σ_{x ∈ top-K} max_{y ∈ S} sim(x, y) with sim the
/// cosine of the feature vectors. The first pick is greedy too: argmax_y F({y}). Afterwards the
/// coverage c(x) = max_{y ∈ S} sim(x, y) is kept, and the gain of adding y is
///
///     g(y) = Σ_x max(0, sim(x, y) − c(x)).
///
/// Gains only shrink as S grows (F is submodular once S is non-empty), so gains computed in an
/// earlier step are upper bounds, and a priority queue of stale gains needs to re-evaluate only the
/// few candidates that reach its top ("lazy greedy", Minoux 1978). Every gain is summed in the same
/// order, and rounding is monotone, so the stale bounds hold exactly in floating point too, and the
/// result is the plain greedy one. Ties go to the candidate earlier in the top-K order (the more
/// uncertain). The K × K similarity matrix is computed once.
enum RepresentativeSelection {
    /// Indices into the rows of `features`, in pick order.
    static func select(_ features: FeatureMatrix, count k: Int) -> [Int] {
        let n = features.rows
        guard k > 0, n > 0 else { return [] }
        let similarity = features.cosineSimilarities()
        return similarity.withUnsafeBufferPointer { sim in
            // The matrix is symmetric, so row y holds sim(x, y) for every x.
            func row(_ y: Int) -> UnsafeBufferPointer<Float> {
                UnsafeBufferPointer(rebasing: sim[(y * n)..<((y + 1) * n)])
            }
            var first = 0, firstValue = -Double.infinity
            for y in 0..<n {
                let value = row(y).reduce(0.0) { $0 + Double($1) }
                if value > firstValue { (first, firstValue) = (y, value) }
            }
            var picked = [first]
            var coverage = Array(row(first))
            var isPicked = [Bool](repeating: false, count: n)
            isPicked[first] = true

            func gain(_ y: Int) -> Double {
                let r = row(y)
                var total = 0.0
                for x in 0..<n { total += Double(max(0, r[x] - coverage[x])) }
                return total
            }
            struct Entry {
                var gain: Double
                var index: Int
                var step: Int
            }
            var queue = BinaryHeap(
                (0..<n).filter { !isPicked[$0] }.map { Entry(gain: gain($0), index: $0, step: 1) },
                isHigherPriority: { $0.gain > $1.gain || ($0.gain == $1.gain && $0.index < $1.index) })
            var step = 1
            while picked.count < min(k, n), var top = queue.root {
                if top.step == step {
                    _ = queue.popRoot()
                    picked.append(top.index)
                    let r = row(top.index)
                    for x in 0..<n where r[x] > coverage[x] { coverage[x] = r[x] }
                    step += 1
                } else {
                    top.gain = gain(top.index)
                    top.step = step
                    queue.replaceRoot(with: top)
                }
            }
            return picked
        }
    }
}
