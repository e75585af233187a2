import Domain

/// Picks the cases to annotate in one round: the top-K most uncertain candidates, then k of them
/// by the chosen redundancy restriction.
public struct CaseSelector: Sendable, Equatable {
    /// K: how many of the most uncertain candidates are considered (paper: 100).
    public let topK: Int
    /// k: how many cases are picked (paper: 50).
    public let count: Int
    public let restriction: RedundancyRestriction
    /// Z-score features over the candidates and the annotated cases before taking cosines.
    public let standardizesFeatures: Bool

    public init(topK: Int, count: Int, restriction: RedundancyRestriction, standardizesFeatures: Bool = false) throws {
        guard count >= 1 else {
            throw ActiveLearningError(.invalidParameter, subject: "k", detail: "must be at least 1, got \(count)")
        }
        guard topK >= count else {
            throw ActiveLearningError(
                .invalidParameter, subject: "K",
                detail: "the top-K pool (\(topK)) must hold at least k = \(count) cases")
        }
        self.topK = topK
        self.count = count
        self.restriction = restriction
        self.standardizesFeatures = standardizesFeatures
    }

    /// Selects among `candidates`; `annotatedFeatures` are the features of the cases annotated
    /// already (used by `non-similar`, and in z-scoring).
    ///
    /// With fewer than k candidates every candidate is taken, in score order, and the result says so.
    public func select(_ candidates: [SelectionCandidate], annotatedFeatures: [[Float]] = []) throws -> SelectionResult
    {
        try validate(candidates)
        // Most uncertain first; equal scores in source-name order, so the result depends neither on
        // the input order nor on the ids a cohort got at import.
        let ranked = candidates.sorted {
            $0.score > $1.score || ($0.score == $1.score && $0.sourceName < $1.sourceName)
        }
        let pool = Array(ranked.prefix(topK))
        let ids = pool.map(\.caseID)
        if candidates.count <= count {
            let note =
                candidates.count < count
                ? "only \(candidates.count) candidates for k = \(count); all were taken" : nil
            return SelectionResult(picked: ids, topK: ids, note: note)
        }
        switch restriction {
        case .none:
            return SelectionResult(picked: Array(ids.prefix(count)), topK: ids)
        case .representative, .nonSimilar:
            let dimension = try featureDimension(ranked, annotatedFeatures)
            var features = FeatureMatrix(pool.map(\.features), dimension: dimension)
            var annotated = FeatureMatrix(annotatedFeatures, dimension: dimension)
            if standardizesFeatures {
                let all = FeatureMatrix(ranked.map(\.features), dimension: dimension)
                let standardization = FeatureStandardization(over: [all, annotated], dimension: dimension)
                features = standardization.apply(features)
                annotated = standardization.apply(annotated)
            }
            let indices =
                restriction == .representative
                ? RepresentativeSelection.select(features, count: count)
                : NonSimilarSelection.select(features, annotated: annotated, count: count)
            return SelectionResult(picked: indices.map { ids[$0] }, topK: ids)
        }
    }

    private func validate(_ candidates: [SelectionCandidate]) throws {
        var seen = Set<String>()
        var names = Set<String>()
        for candidate in candidates {
            guard seen.insert(candidate.caseID).inserted else {
                throw ActiveLearningError(
                    .duplicateCase, subject: "case \(candidate.caseID)", detail: "offered twice for selection")
            }
            guard names.insert(candidate.sourceName).inserted else {
                throw ActiveLearningError(
                    .duplicateCase, subject: "case \(candidate.caseID)",
                    detail: "shares its source name '\(candidate.sourceName)' with another candidate")
            }
            guard !candidate.score.isNaN else {
                throw ActiveLearningError(
                    .nonFiniteValue, subject: "case \(candidate.caseID)", detail: "has a NaN score")
            }
        }
    }

    /// The common feature dimension of every candidate and annotated case.
    private func featureDimension(_ candidates: [SelectionCandidate], _ annotated: [[Float]]) throws -> Int {
        let dimension = candidates[0].features.count
        guard dimension > 0 else {
            throw ActiveLearningError(
                .mismatchedSizes, subject: "case \(candidates[0].caseID)",
                detail: "has no features; \(restriction.rawValue) selection needs them")
        }
        for candidate in candidates {
            guard candidate.features.count == dimension else {
                throw ActiveLearningError(
                    .mismatchedSizes, subject: "case \(candidate.caseID)",
                    detail: "has \(candidate.features.count) features, expected \(dimension)")
            }
            guard candidate.features.allSatisfy(\.isFinite) else {
                throw ActiveLearningError(
                    .nonFiniteValue, subject: "case \(candidate.caseID)",
                    detail: "has NaN or infinite features")
            }
        }
        for (i, vector) in annotated.enumerated() {
            guard vector.count == dimension else {
                throw ActiveLearningError(
                    .mismatchedSizes, subject: "annotated case \(i)",
                    detail: "has \(vector.count) features, expected \(dimension)")
            }
            guard vector.allSatisfy(\.isFinite) else {
                throw ActiveLearningError(
                    .nonFiniteValue, subject: "annotated case \(i)",
                    detail: "has NaN or infinite features")
            }
        }
        return dimension
    }
}
