/// An unannotated case offered for selection: its uncertainty score and its feature vector (the
/// encoder bottleneck averaged over x, y, z; one value per channel).
public struct SelectionCandidate: Sendable, Equatable {
    public var caseID: String
    public var score: Double
    /// Needed only for redundancy restriction; may be empty with `.none`.
    public var features: [Float]

    public init(caseID: String, score: Double, features: [Float] = []) {
        self.caseID = caseID
        self.score = score
        self.features = features
    }
}
