/// One strategy over all its repetitions: how often and how early it reached the full-data model,
/// and its learning curve, each as a mean with a 95% interval across repetitions.
///
/// A repetition that never reached equivalence has no first-equivalent share. It is not given an
/// invented one (100%, or the last round's share, would mix "not shown equivalent within the budget"
/// with "needed all the data"): the summary counts it in `equivalentRepetitions` out of
/// `repetitions`, and `equivalentShare` is over the repetitions that reached equivalence only, so a
/// report shows both, e.g. "2/3 reached, 37.5% [29.1%, 45.9%]". The normalised area needs no such
/// choice: every repetition with two or more rounds has one.
public struct StrategySummary: Codable, Sendable, Equatable {
    /// One point of the mean learning curve: a round of every repetition that evaluated it.
    public struct CurvePoint: Codable, Sendable, Equatable {
        public var round: Int
        /// The mean over those repetitions of the round's share of the training pool.
        public var trainingShare: Double
        /// The repetitions' mean test Dice at this round.
        public var meanDice: RepeatedOutcome
    }

    public var strategy: String
    /// Repetitions analysed.
    public var repetitions: Int
    /// Repetitions with an equivalent round.
    public var equivalentRepetitions: Int
    /// The share of the training pool at the first equivalent round, over the repetitions that had
    /// one; nil when none did.
    public var equivalentShare: RepeatedOutcome?
    /// The mean equivalent share divided by the baseline's mean equivalent share (the paper's
    /// "relative to random query"); nil while either never reached equivalence.
    public var shareRelativeToBaseline: Double?
    /// The normalised area under the budget curve (`StrategyAnalysis.normalisedArea`) over the
    /// repetitions that have one.
    public var normalisedArea: RepeatedOutcome?
    /// The mean learning curve, by round.
    public var curve: [CurvePoint]

    /// Groups `analyses` by strategy, in the order strategies first appear.
    static func summaries(_ analyses: [StrategyAnalysis], baseline: String) throws -> [StrategySummary] {
        var order: [String] = []
        var groups: [String: [StrategyAnalysis]] = [:]
        for analysis in analyses {
            if groups[analysis.strategy] == nil { order.append(analysis.strategy) }
            groups[analysis.strategy, default: []].append(analysis)
        }
        var summaries = try order.map { try StrategySummary($0, repetitions: groups[$0]!) }
        let baselineShare = summaries.first { $0.strategy == baseline }?.equivalentShare?.mean
        for i in summaries.indices {
            if let share = summaries[i].equivalentShare?.mean, let baselineShare, baselineShare > 0 {
                summaries[i].shareRelativeToBaseline = share / baselineShare
            }
        }
        return summaries
    }

    private init(_ strategy: String, repetitions: [StrategyAnalysis]) throws {
        let ordered = repetitions.sorted { $0.repetition < $1.repetition }
        self.strategy = strategy
        self.repetitions = ordered.count
        self.equivalentRepetitions = ordered.filter { $0.equivalentShare != nil }.count
        self.equivalentShare = try RepeatedOutcome(
            ordered.compactMap(\.equivalentShare),
            subject: "\(strategy) equivalent share")
        self.shareRelativeToBaseline = nil
        self.normalisedArea = try RepeatedOutcome(
            ordered.compactMap(\.normalisedArea),
            subject: "\(strategy) normalised area")
        let roundIndices = Set(ordered.flatMap { $0.rounds.map(\.round) }).sorted()
        self.curve = try roundIndices.compactMap { index in
            let rounds = ordered.compactMap { $0.rounds.first { $0.round == index } }
            return try RepeatedOutcome(rounds.map(\.dice.mean), subject: "\(strategy) round \(index) mean Dice").map {
                CurvePoint(round: index, trainingShare: SampleSummary.mean(rounds.map(\.trainingShare)), meanDice: $0)
            }
        }
    }
}
