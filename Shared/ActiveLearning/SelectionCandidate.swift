/// An unannotated case offered for selection: its uncertainty score and its feature vector (the
/// encoder bottleneck averaged over x, y, z; one value per channel).
public struct SelectionCandidate: Sendable, Equatable {
    public var caseID: String
    /// The case's name in its source, unique among the candidates. Equal scores rank by it and
    /// random query draws in its order: unlike the id, a new import of the cohort keeps it, so the
    /// same seed picks the same cases there.
    public var sourceName: String
    public var score: Double
    /// Needed only for redundancy restriction; may be empty with `.none`.
    public var features: [Float]

    public init(caseID: String, sourceName: String, score: Double, features: [Float] = []) {
        self.caseID = caseID
        self.sourceName = sourceName
        self.score = score
        self.features = features
    }
}
