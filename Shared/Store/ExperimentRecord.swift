import Domain
import Foundation

/// One experiment as the `experiments` table holds it: what to run and where it stands.
///
/// The enumerations' raw values (the design's too) are the columns' CHECK values, so a record that
/// decodes is one the schema accepts.
public struct ExperimentRecord: Sendable, Hashable {
    /// Whether picked cases get their stored label at once or wait for a person.
    public enum AnnotationMode: String, Sendable, Hashable {
        case oracle, human
    }

    /// Where the experiment is in its life (the `status` column).
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case created, running, finished, failed, cancelled

        /// Finished, failed and cancelled experiments never change again.
        public var isFinal: Bool { self == .finished || self == .failed || self == .cancelled }
    }

    public var id: ExperimentID
    public var name: String
    public var datasetID: DatasetID
    /// What it runs; the columns from `strategy` to `profile`.
    public var design: ExperimentDesign
    /// Which repetition of its comparison it is (0 for the first).
    public var repetition: Int
    public var annotationMode: AnnotationMode
    public var status: Status
    public var failureReason: String?
    public var firstEquivalentRound: Int?
    /// The serialized `activeseg.v1.ExperimentSpec` the experiment was created from.
    public var spec: Data
    public var createdAt: Date
    public var finishedAt: Date?

    public init(
        id: ExperimentID, name: String, datasetID: DatasetID, design: ExperimentDesign, repetition: Int = 0,
        annotationMode: AnnotationMode, status: Status = .created, failureReason: String? = nil,
        firstEquivalentRound: Int? = nil, spec: Data = Data(), createdAt: Date = Date(),
        finishedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.datasetID = datasetID
        self.design = design
        self.repetition = repetition
        self.annotationMode = annotationMode
        self.status = status
        self.failureReason = failureReason
        self.firstEquivalentRound = firstEquivalentRound
        self.spec = spec
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }
}
