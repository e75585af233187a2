/// Every experiment event the dashboard has read, in stream order, and the live streams of the
/// pages open now.
///
/// The `EventFollower` appends what it reads from the start of the stream, so a dashboard started
/// late holds the same history as one that ran all along (the stream keeps 30 days); pages read
/// what the orchestrator's rpcs do not answer (phase times, per-epoch training progress, the
/// latest round's verdict) from here. Each subscriber first gets the stored events after the
/// sequence it names, then every new one.
///
/// What it holds is bounded: per-epoch training progress is kept only for each repetition's newest
/// training round (the page shows the training under way), so an experiment's lasting share is its
/// rounds' phase and result events; past `limit` events in all, the oldest go first (a long-lived
/// dashboard then shows old experiments' timelines from where its memory starts).
actor EventLog {
    /// The default `limit`: at a few hundred bytes an event, tens of megabytes, room for the
    /// phase and result events of about a thousand experiments of sixteen rounds.
    static let defaultLimit = 100_000

    private let limit: Int
    private var events: [DashboardEvent] = []
    /// The newest training round of each experiment's repetition, whose epochs are kept.
    private var trainingRounds: [TrainingRepetition: UInt32] = [:]
    private var subscribers: [Int: (experiment: String?, continuation: AsyncStream<DashboardEvent>.Continuation)] =
        [:]
    private var nextSubscriber = 0
    private var closed = false

    private struct TrainingRepetition: Hashable {
        var experiment: String
        var repetition: UInt32
    }

    /// A log that holds at most `limit` events (at least one).
    init(limit: Int = EventLog.defaultLimit) {
        self.limit = max(limit, 1)
    }

    /// How many events are held now.
    var count: Int { events.count }

    /// Stores `event` and hands it to the subscribers that follow its experiment.
    func append(_ event: DashboardEvent) {
        guard events.last.map({ $0.sequence < event.sequence }) ?? true else { return }
        if keepsOnlyNewer(event) { events.append(event) }
        if events.count > limit {
            // Down to nine tenths, so the oldest are dropped in batches rather than one per event.
            events.removeFirst(events.count - limit * 9 / 10)
        }
        for subscriber in subscribers.values where subscriber.experiment.map({ $0 == event.experimentID }) ?? true {
            subscriber.continuation.yield(event)
        }
    }

    /// The events of one experiment, oldest first.
    func events(of experiment: String) -> [DashboardEvent] {
        events.filter { $0.experimentID == experiment }
    }

    /// The last event of each experiment that has one of the given kinds, by experiment.
    func latest(where include: (DashboardEvent) -> Bool) -> [String: DashboardEvent] {
        var latest: [String: DashboardEvent] = [:]
        for event in events where include(event) { latest[event.experimentID] = event }
        return latest
    }

    /// The sequence of the newest event (of `experiment`, or of any), 0 before the first: where a
    /// page rendered now starts its live stream.
    func lastSequence(of experiment: String?) -> UInt64 {
        events.last { experiment == nil || $0.experimentID == experiment }?.sequence ?? 0
    }

    /// The events after `sequence` (of `experiment`, or of all experiments), then each new one as
    /// it is appended, until the subscriber stops iterating or the log closes.
    func subscribe(experiment: String?, after sequence: UInt64) -> AsyncStream<DashboardEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: DashboardEvent.self, bufferingPolicy: .bufferingNewest(4096))
        for event in events
        where event.sequence > sequence && experiment.map({ $0 == event.experimentID }) ?? true {
            continuation.yield(event)
        }
        guard !closed else {
            continuation.finish()
            return stream
        }
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = (experiment, continuation)
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return stream
    }

    /// Ends every live stream, and every later one at once: the dashboard is stopping, so its web
    /// server can finish the open responses and drain.
    func close() {
        closed = true
        for subscriber in subscribers.values { subscriber.continuation.finish() }
        subscribers = [:]
    }

    private func unsubscribe(_ id: Int) { subscribers[id] = nil }

    /// Whether to store `event`: a training epoch of a round older than its repetition's newest
    /// training round is not; one of a newer round drops the epochs of the older rounds.
    private func keepsOnlyNewer(_ event: DashboardEvent) -> Bool {
        guard case .training(let progress) = event.body else { return true }
        let key = TrainingRepetition(experiment: event.experimentID, repetition: progress.repetition)
        if let newest = trainingRounds[key] {
            guard progress.round >= newest else { return false }
            guard progress.round > newest else { return true }
            events.removeAll { old in
                guard case .training(let earlier) = old.body else { return false }
                return old.experimentID == key.experiment && earlier.repetition == key.repetition
            }
        }
        trainingRounds[key] = progress.round
        return true
    }
}
