import Domain
import Foundation

/// What one score job stores: a pool case's score and features, or a test case's Dice.
public struct ScoreRecord: Sendable, Equatable {
    public var experimentID: ExperimentID
    /// The round the score is used in (> 0), scored with the previous round's models.
    public var roundIndex: Int
    public var caseID: CaseID
    public var datasetID: DatasetID
    /// The experiment's strategy name, e.g. `dropout-train-test`.
    public var method: String
    public var value: Double
    public var features: [Float]

    public init(
        experimentID: ExperimentID, roundIndex: Int, caseID: CaseID, datasetID: DatasetID, method: String,
        value: Double,
        features: [Float]
    ) {
        self.experimentID = experimentID
        self.roundIndex = roundIndex
        self.caseID = caseID
        self.datasetID = datasetID
        self.method = method
        self.value = value
        self.features = features
    }
}
