import Domain
import Foundation

/// One experiment as the `experiments` table holds it: what to run and where it stands.
///
/// The enumerations' raw values (``Strategy``'s and ``RedundancyRestriction``'s too) are the
/// columns' CHECK values, so a record that decodes is one the schema accepts.
public struct ExperimentRecord: Sendable, Hashable {
    /// The size of every job (the `profile` column).
    public enum Profile: String, Sendable, Hashable, CaseIterable {
        case paper, cpu, tiny
    }

    /// Whether picked cases get their stored label at once or wait for a person.
    public enum AnnotationMode: String, Sendable, Hashable {
        case oracle, human
    }

    /// Where the experiment is in its life (the `status` column).
    public enum Status: String, Sendable, Hashable {
        case created, running, finished, failed, cancelled

        /// Finished, failed and cancelled experiments never change again.
        public var isFinal: Bool { self == .finished || self == .failed || self == .cancelled }
    }

    public var id: UUID
    public var name: String
    public var datasetID: UUID
    public var strategy: Strategy
    public var restriction: RedundancyRestriction
    /// n: cases in the random initial set.
    public var initialCount: Int
    /// K: uncertain candidates the restriction considers.
    public var candidateCount: Int
    /// k: cases annotated per round.
    public var queryCount: Int
    /// Rounds after round 0.
    public var maxRounds: Int
    public var stopAtEquivalence: Bool
    /// T, for the dropout strategies only.
    public var dropoutPasses: Int?
    /// Ensemble size, for the bootstrap strategy only.
    public var bootstrapMembers: Int?
    /// The repetition's seed: it fixes the initial set and every job's seed.
    public var seed: Int64
    public var repetition: Int
    public var profile: Profile
    public var annotationMode: AnnotationMode
    public var status: Status
    public var failureReason: String?
    public var firstEquivalentRound: Int?
    /// The serialized `activeseg.v1.ExperimentSpec` the experiment was created from.
    public var spec: Data
    public var createdAt: Date
    public var finishedAt: Date?

    public init(id: UUID, name: String, datasetID: UUID, strategy: Strategy, restriction: RedundancyRestriction,
                initialCount: Int, candidateCount: Int, queryCount: Int, maxRounds: Int, stopAtEquivalence: Bool,
                dropoutPasses: Int?, bootstrapMembers: Int?, seed: Int64, repetition: Int = 0, profile: Profile,
                annotationMode: AnnotationMode, status: Status = .created, failureReason: String? = nil,
                firstEquivalentRound: Int? = nil, spec: Data = Data(), createdAt: Date = Date(),
                finishedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.datasetID = datasetID
        self.strategy = strategy
        self.restriction = restriction
        self.initialCount = initialCount
        self.candidateCount = candidateCount
        self.queryCount = queryCount
        self.maxRounds = maxRounds
        self.stopAtEquivalence = stopAtEquivalence
        self.dropoutPasses = dropoutPasses
        self.bootstrapMembers = bootstrapMembers
        self.seed = seed
        self.repetition = repetition
        self.profile = profile
        self.annotationMode = annotationMode
        self.status = status
        self.failureReason = failureReason
        self.firstEquivalentRound = firstEquivalentRound
        self.spec = spec
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}
