import Orchestration
import ServiceRuntime

/// How the leading orchestrator watches the jobs it queued, beside following their notices; read
/// from the environment:
/// - `ACTIVESEG_ORCHESTRATOR_SWEEP` (whole seconds, default 30): how often the leader passes over
///   every running experiment without a notice;
/// - `ACTIVESEG_JOB_REPUBLISH_AFTER` (seconds, default 120): a job still queued this long after it
///   was recorded has not reached a worker (its publish after the commit failed, NATS was down),
///   so the pass publishes it again; its id as `Nats-Msg-Id` keeps a message that did arrive
///   from being stored twice;
/// - `ACTIVESEG_TRAIN_JOB_TIME_LIMIT` (seconds, default 86400) and `ACTIVESEG_SCORE_JOB_TIME_LIMIT`
///   (seconds, default 3600): an attempt running longer is failed (see ``JobTimeLimits``).
struct JobWatch: Sendable, Hashable {
    var sweepInterval: Duration = .seconds(30)
    var republishAfter: Duration = .seconds(120)
    var timeLimits = JobTimeLimits()

    init() {}

    init(environment: [String: String]) throws(ServiceConfigurationError) {
        func seconds(_ key: String) throws(ServiceConfigurationError) -> Duration? {
            try ServiceConfiguration.positiveInteger(key, in: environment, unit: "seconds").map { .seconds($0) }
        }
        if let value = try seconds("ACTIVESEG_ORCHESTRATOR_SWEEP") { sweepInterval = value }
        if let value = try seconds("ACTIVESEG_JOB_REPUBLISH_AFTER") { republishAfter = value }
        if let value = try seconds("ACTIVESEG_TRAIN_JOB_TIME_LIMIT") { timeLimits.train = value }
        if let value = try seconds("ACTIVESEG_SCORE_JOB_TIME_LIMIT") { timeLimits.score = value }
    }
}
