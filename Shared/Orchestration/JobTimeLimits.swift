import Domain

/// How long one attempt at a job may run before the orchestrator fails it. A worker that hangs
/// (a deadlock, a machine swapping to a standstill) keeps reporting its job in progress, so the
/// queue never offers the job again and, without a limit, its experiment would wait forever.
///
/// The defaults leave room for the largest profile on a slow machine: a day for training (the
/// paper's up to 500 epochs), an hour for scoring one case (T dropout passes of sliding-window
/// inference over a whole image).
public struct JobTimeLimits: Sendable, Hashable {
    public var train: Duration
    public var score: Duration

    public init(train: Duration = .seconds(24 * 3600), score: Duration = .seconds(3600)) {
        self.train = train
        self.score = score
    }

    public func limit(for kind: JobKind) -> Duration {
        switch kind {
        case .train: train
        case .score: score
        }
    }

    /// What a job of `kind` that ran past its limit is failed with, e.g. "ran past 30 min".
    public func reason(for kind: JobKind) -> String {
        "ran past \(Self.words(limit(for: kind)))"
    }

    /// A limit in the largest unit that divides it: "24 h", "30 min", "90 s".
    static func words(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds > 0, seconds % 3600 == 0 { return "\(seconds / 3600) h" }
        if seconds > 0, seconds % 60 == 0 { return "\(seconds / 60) min" }
        return "\(seconds) s"
    }
}
