import Domain

/// One round's model evaluated on the fixed test split.
public struct RoundEvaluation: Codable, Sendable, Equatable {
    public var round: Int
    /// Cases annotated when the round's model was trained (its validation hold-out included).
    public var annotatedCases: Int
    /// Per-case test Dice, by case id.
    public var dice: [String: Double]

    public init(round: Int, annotatedCases: Int, dice: [String: Double]) {
        self.round = round
        self.annotatedCases = annotatedCases
        self.dice = dice
    }
}

/// Every evaluated round of one repetition of one query strategy (e.g. `bootstrap+representative`).
public struct StrategyEvaluation: Codable, Sendable, Equatable {
    public var strategy: String
    /// Which repetition (seed) of the strategy this is; the evaluations of one strategy are
    /// summarised together across repetitions.
    public var repetition: Int
    public var rounds: [RoundEvaluation]

    public init(strategy: String, repetition: Int = 0, rounds: [RoundEvaluation]) {
        self.strategy = strategy
        self.repetition = repetition
        self.rounds = rounds
    }
}

/// One round of the learning curve, compared with the full-data model.
public struct RoundAnalysis: Codable, Sendable, Equatable {
    public var round: Int
    public var annotatedCases: Int
    /// annotatedCases / training pool size.
    public var trainingShare: Double
    public var dice: SampleSummary
    /// TOST of (round Dice − full-data Dice) against the equivalence bounds.
    public var tost: TOSTResult
    /// The (1 − 2α) interval of the mean difference; inside the bounds exactly when `isEquivalent`.
    public var differenceInterval: ConfidenceInterval
    public var isEquivalent: Bool
}

/// One repetition of a strategy: its learning curve and when it first reached the full-data model.
public struct StrategyAnalysis: Codable, Sendable, Equatable {
    public var strategy: String
    public var repetition: Int
    public var rounds: [RoundAnalysis]
    /// The first round whose TOST p-value is below α; nil if none is.
    public var firstEquivalentRound: Int?
    /// That round's share of the training pool.
    public var equivalentShare: Double?
    /// That share divided by the baseline's (random query's) share in the same repetition, which
    /// started from the same initial set: below 1 means fewer annotations.
    public var shareRelativeToBaseline: Double?
    /// Area under mean Dice over training share (trapezoids), divided by the area under the
    /// full-data mean over the same share range: 1 means the strategy was as good as the full-data
    /// model over the whole budget. Comparable between strategies evaluated at the same shares;
    /// nil with fewer than two rounds.
    public var normalisedArea: Double?
}

/// The learning-curve analysis of an experiment: every strategy's rounds against the full-data model.
///
/// Made only from per-case Dice values, and `Codable`, so that stored numbers rebuild the same
/// analysis and reports at any time.
public struct LearningCurveAnalysis: Codable, Sendable, Equatable {
    public var trainingPoolSize: Int
    public var fullData: SampleSummary
    public var bounds: EquivalenceBounds
    public var design: TOSTDesign
    /// The strategy whose equivalent share the others are compared with.
    public var baseline: String
    /// Every repetition of every strategy, in the order given.
    public var strategies: [StrategyAnalysis]
    /// One per strategy, across its repetitions, in the order strategies first appear.
    public var summaries: [StrategySummary]

    /// Analyses `strategies` against the full-data model's per-case Dice.
    ///
    /// - Parameters:
    ///   - design: `.paired` by default, because every round is evaluated on the same test cases as
    ///     the full-data model; the independent designs are there to reproduce analyses that ignored
    ///     the pairing.
    public init(
        trainingPoolSize: Int, fullDataDice: [String: Double], strategies: [StrategyEvaluation],
        baseline: String = "random", alpha: Double = 0.05, design: TOSTDesign = .paired
    ) throws {
        guard trainingPoolSize > 0 else {
            throw StatisticsError(
                .invalidParameter, subject: "training pool size",
                detail: "must be positive, got \(trainingPoolSize)")
        }
        let caseIDs = fullDataDice.keys.sorted()
        let reference = caseIDs.map { fullDataDice[$0]! }
        self.trainingPoolSize = trainingPoolSize
        self.fullData = try SampleSummary(reference, subject: "full-data Dice")
        self.bounds = try EquivalenceBounds(reference: reference, alpha: alpha)
        self.design = design
        self.baseline = baseline
        let bounds = self.bounds
        var analysed = try strategies.map { strategy in
            try Self.analyse(
                strategy, caseIDs: caseIDs, reference: reference, poolSize: trainingPoolSize,
                bounds: bounds, design: design)
        }
        for i in analysed.indices {
            let baselineShare = analysed.first {
                $0.strategy == baseline && $0.repetition == analysed[i].repetition
            }?.equivalentShare
            if let share = analysed[i].equivalentShare, let baselineShare {
                analysed[i].shareRelativeToBaseline = share / baselineShare
            }
        }
        self.strategies = analysed
        self.summaries = try StrategySummary.summaries(analysed, baseline: baseline)
    }

    private static func analyse(
        _ strategy: StrategyEvaluation, caseIDs: [String], reference: [Double],
        poolSize: Int, bounds: EquivalenceBounds,
        design: TOSTDesign
    ) throws -> StrategyAnalysis {
        let rounds = try strategy.rounds.sorted { $0.round < $1.round }.map { round in
            let subject = "\(strategy.strategy) round \(round.round)"
            let values = try caseIDs.map { id in
                guard let value = round.dice[id] else {
                    throw StatisticsError(
                        .mismatchedInputs, subject: subject,
                        detail: "no Dice for test case \(id) of the full-data model")
                }
                return value
            }
            guard round.dice.count == caseIDs.count else {
                throw StatisticsError(
                    .mismatchedInputs, subject: subject,
                    detail: "\(round.dice.count) test cases, the full-data model has \(caseIDs.count)")
            }
            let test = try tost(values, reference, low: bounds.low, high: bounds.high, design: design)
            return RoundAnalysis(
                round: round.round, annotatedCases: round.annotatedCases,
                trainingShare: dataShare(annotated: round.annotatedCases, of: poolSize),
                dice: try SampleSummary(values, subject: subject), tost: test,
                differenceInterval: try test.differenceInterval(alpha: bounds.alpha),
                isEquivalent: test.isEquivalent(alpha: bounds.alpha))
        }
        let first = rounds.first(where: \.isEquivalent)
        return StrategyAnalysis(
            strategy: strategy.strategy, repetition: strategy.repetition, rounds: rounds,
            firstEquivalentRound: first?.round,
            equivalentShare: first?.trainingShare, shareRelativeToBaseline: nil,
            normalisedArea: normalisedArea(rounds, reference: SampleSummary.mean(reference)))
    }

    private static func normalisedArea(_ rounds: [RoundAnalysis], reference: Double) -> Double? {
        guard rounds.count >= 2, let first = rounds.first, let last = rounds.last,
            last.trainingShare > first.trainingShare
        else { return nil }
        var area = 0.0
        for (a, b) in zip(rounds, rounds.dropFirst()) {
            area += (b.trainingShare - a.trainingShare) * (a.dice.mean + b.dice.mean) / 2
        }
        return area / (reference * (last.trainingShare - first.trainingShare))
    }
}
