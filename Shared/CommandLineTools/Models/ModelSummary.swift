import Domain
import Foundation
import Proto

/// One row of `model list`: a trained model as the trainer recorded it, with the mean test Dice the
/// scorer stored for it.
struct ModelSummary: Codable, Sendable, Equatable {
    var id: ModelID
    var datasetID: DatasetID
    /// Nil for the members of the dataset's full-data reference.
    var experimentID: ExperimentID?
    var round: Int?
    /// Its member of a round's bootstrap ensemble or of the full-data reference; nil for a single model.
    var ensembleMember: Int?
    var profile: String
    var trainingCases: Int
    var epochs: Int
    var bestValidationDice: Double?
    /// Mean Dice over the test cases evaluated so far; nil before the scorer reported any.
    var meanTestDice: Double?
    var checkpointSHA256: String

    init(_ model: StoredModel) throws {
        guard let id = ModelID(wireForm: model.modelID), let datasetID = DatasetID(wireForm: model.datasetID),
            let profile = ProfileName(model.profile)
        else {
            throw CommandLineError(
                .failed, subject: "orchestrator", detail: "answered a model with a malformed id '\(model.modelID)'")
        }
        self.id = id
        self.datasetID = datasetID
        experimentID = ExperimentID(wireForm: model.experimentID)
        round = model.hasRound ? Int(model.round) : nil
        ensembleMember = model.hasEnsembleMember ? Int(model.ensembleMember) : nil
        self.profile = profile.rawValue
        trainingCases = Int(model.trainingCases)
        epochs = Int(model.epochs)
        bestValidationDice = model.hasBestValidationDice ? model.bestValidationDice : nil
        meanTestDice = model.hasMeanTestDice ? model.meanTestDice : nil
        checkpointSHA256 = model.checkpoint.sha256
    }

    /// The models that match every filter given (all when none is): reference models first, then by
    /// experiment, round and bootstrap member.
    static func matching(
        _ client: ServiceClient, experiment: ExperimentID? = nil, dataset: DatasetID? = nil, id: ModelID? = nil
    ) async throws -> [ModelSummary] {
        try await client.call(
            OrchestratorRPC.listModels,
            .with {
                $0.experimentID = experiment?.wireForm ?? ""
                $0.datasetID = dataset?.wireForm ?? ""
                $0.modelID = id?.wireForm ?? ""
            }
        ).models.map(ModelSummary.init)
    }
}
