import Domain
import Foundation

/// One unit of work for the trainer or scorer work queue, as the `jobs` table holds it.
///
/// The job's `id` is also its message's `Nats-Msg-Id`, and `payload` the serialized protobuf job,
/// so a job recorded in the transaction of a phase change can be published again after a restart
/// and the queue still stores it once.
public struct JobRecord: Sendable, Hashable {
    /// Where the job is; succeeded and failed are final.
    public enum State: String, Sendable, Hashable {
        case queued, running, succeeded, failed

        public var isFinal: Bool { self == .succeeded || self == .failed }
    }

    public var id: JobID
    /// What the job does, in words that identify it (e.g. `train/<experiment>/3/member-1`): a
    /// second plan of the same work meets this key instead of adding a job.
    public var key: String
    public var kind: JobKind
    /// Nil only for the full-data reference model's training.
    public var experimentID: ExperimentID?
    public var roundIndex: Int?
    public var payload: Data
    public var state: State
    public var attempts: Int
    public var lastError: String?

    public init(
        id: JobID, key: String, kind: JobKind, experimentID: ExperimentID?, roundIndex: Int?, payload: Data,
        state: State = .queued, attempts: Int = 0, lastError: String? = nil
    ) {
        self.id = id
        self.key = key
        self.kind = kind
        self.experimentID = experimentID
        self.roundIndex = roundIndex
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.lastError = lastError
    }
}
