/// One number of a strategy (its first-equivalent data share, its normalised area, a round's mean
/// Dice) over the repetitions that have it: the mean and the 95% t-interval of that mean.
///
/// Run again with other seeds, a comparison moves; the interval says by how much, so a reader does
/// not take one lucky initial set for a better strategy. One repetition has no interval.
public struct RepeatedOutcome: Codable, Sendable, Equatable {
    /// One value per repetition, in repetition order.
    public var values: [Double]
    public var mean: Double
    /// The 95% t-interval of the mean (df = values − 1); nil with a single value.
    public var interval: ConfidenceInterval?

    /// The outcome of `values`; nil when no repetition has one.
    public init?(_ values: [Double], subject: String) throws {
        guard !values.isEmpty else { return nil }
        self.values = values
        self.mean = try SampleSummary(values, subject: subject).mean
        self.interval = try values.count >= 2 ? ConfidenceInterval(meanOf: values, level: 0.95, subject: subject) : nil
    }
}
