import Domain
import Proto
import ServiceRuntime
import Store

/// The orchestrator's read-only rpc methods: the records a person inspects through the command line
/// (a report's per-case Dice, the trained models, the experiments that picked a case), so that a
/// client reaches the platform through its services and never needs the database.
struct RecordQueries: Sendable {
    let database: PostgresClient

    /// The per-case test Dice of the experiments' finished rounds and of the full-data model of
    /// their dataset and profile, with the size of the training pool every data share divides by.
    func evaluations(_ request: EvaluationsRequest) async throws -> EvaluationSet {
        guard !request.experimentIds.isEmpty else {
            throw RPCError(.invalidArgument, "name at least one experiment", details: ["field": "experiment_ids"])
        }
        var answer = EvaluationSet()
        var reference: (dataset: DatasetID, profile: ProfileName)?
        for text in request.experimentIds {
            let id = try ExperimentID(wireForm: text, field: "experiment_ids")
            guard let experiment = try await ExperimentRepository.experiment(id, on: database) else {
                throw RPCError(.notFound, "no experiment \(text) is on record", details: ["experiment": text])
            }
            if let reference, reference.dataset != experiment.datasetID {
                throw RPCError(
                    .invalidArgument, "the experiments use more than one dataset; compare experiments on one dataset",
                    details: ["field": "experiment_ids"])
            }
            reference = (experiment.datasetID, experiment.design.profile)
            let rounds = try await EvaluationRepository.finishedRounds(of: id, on: database)
            answer.experiments.append(
                ExperimentDice.with {
                    $0.experimentID = id.wireForm
                    $0.strategy = UncertaintyMethod(experiment.design.strategy)
                    $0.restriction = Restriction(experiment.design.restriction)
                    $0.repetition = UInt32(experiment.repetition)
                    $0.rounds = rounds.map { round in
                        RoundDice.with {
                            $0.round = UInt32(round.roundIndex)
                            $0.annotatedCases = UInt32(round.annotatedCount)
                            $0.dice = Self.caseDice(round.dice)
                        }
                    }
                })
        }
        guard let reference else { return answer }
        answer.fullData = Self.caseDice(
            try await EvaluationRepository.referenceDice(
                datasetID: reference.dataset, profile: reference.profile, on: database))
        answer.fullDataMembers = UInt32(
            try await ModelRepository.referenceMembers(
                datasetID: reference.dataset, profile: reference.profile, on: database
            ).count)
        answer.trainingPoolCases = UInt32(try await Cohort.load(reference.dataset, on: database).trainingCases.count)
        return answer
    }

    /// The models that match every filter the request sets.
    func models(_ request: ListModelsRequest) async throws -> ModelList {
        let experimentID = try ExperimentID.optional(wireForm: request.experimentID, field: "experiment_id")
        let datasetID = try DatasetID.optional(wireForm: request.datasetID, field: "dataset_id")
        let modelID = try ModelID.optional(wireForm: request.modelID, field: "model_id")
        let models = try await ModelRepository.models(of: experimentID, datasetID: datasetID, id: modelID, on: database)
        return ModelList.with { $0.models = models.map(Self.storedModel) }
    }

    /// Every experiment that picked the case, oldest first.
    func caseHistory(_ request: CaseHistoryRequest) async throws -> CasePicks {
        let caseID = try CaseID(wireForm: request.caseID, field: "case_id")
        let name = try await CaseRepository.cases(in: nil, id: caseID, on: database).first?.sourceName ?? ""
        var picks: [(experiment: ExperimentRecord, pick: ExperimentCaseRecord)] = []
        for pick in try await ExperimentCaseRepository.picks(of: caseID, on: database) {
            guard let experiment = try await ExperimentRepository.experiment(pick.experimentID, on: database) else {
                continue
            }
            picks.append((experiment, pick))
        }
        picks.sort { ($0.experiment.createdAt, $0.experiment.name) < ($1.experiment.createdAt, $1.experiment.name) }
        return CasePicks.with {
            $0.picks = picks.map { experiment, pick in Self.casePick(pick, of: experiment, caseName: name) }
        }
    }

    /// Every case the experiment picked, by round and rank, with the uncertainty score it was
    /// ranked by where the round scored its pool.
    func picks(_ request: ListPicksRequest) async throws -> CasePicks {
        let id = try ExperimentID(wireForm: request.experimentID, field: "experiment_id")
        guard let experiment = try await ExperimentRepository.experiment(id, on: database) else {
            let text = request.experimentID
            throw RPCError(.notFound, "no experiment \(text) is on record", details: ["experiment": text])
        }
        let names = Dictionary(
            uniqueKeysWithValues: try await CaseRepository.cases(in: experiment.datasetID, on: database)
                .map { ($0.id, $0.sourceName) })
        let picks = try await ExperimentCaseRepository.selections(of: id, on: database)
        var scores: [Int: [CaseID: (score: Double, features: [Float])]] = [:]
        for round in Set(picks.map(\.selectedRound)) where round > 0 {
            scores[round] = try await ScoreRepository.scores(of: id, round: round, on: database)
        }
        return CasePicks.with {
            $0.picks = picks.map { pick in
                var entry = Self.casePick(pick, of: experiment, caseName: names[pick.caseID] ?? "")
                if let score = scores[pick.selectedRound]?[pick.caseID]?.score { entry.uncertainty = score }
                return entry
            }
        }
    }

    private static func casePick(
        _ pick: ExperimentCaseRecord, of experiment: ExperimentRecord, caseName: String
    ) -> CasePick {
        CasePick.with {
            $0.experimentID = experiment.id.wireForm
            $0.experimentName = experiment.name
            $0.strategy = UncertaintyMethod(experiment.design.strategy)
            $0.restriction = Restriction(experiment.design.restriction)
            $0.selectedRound = UInt32(pick.selectedRound)
            $0.selectionRank = UInt32(pick.selectionRank)
            if let round = pick.annotatedRound { $0.annotatedRound = UInt32(round) }
            $0.caseID = pick.caseID.wireForm
            $0.caseName = caseName
        }
    }

    private static func caseDice(_ dice: [CaseID: Double]) -> [CaseDice] {
        dice.sorted { $0.key < $1.key }.map { id, value in
            CaseDice.with {
                $0.caseID = id.wireForm
                $0.dice = value
            }
        }
    }

    private static func storedModel(_ entry: (model: ModelRecord, meanTestDice: Double?)) -> StoredModel {
        let model = entry.model
        return StoredModel.with {
            $0.modelID = model.id.wireForm
            $0.datasetID = model.datasetID.wireForm
            $0.experimentID = model.experimentID?.wireForm ?? ""
            if let round = model.roundIndex { $0.round = UInt32(round) }
            if let member = model.ensembleMember { $0.ensembleMember = UInt32(member) }
            $0.profile = Profile(model.profile)
            $0.trainingCases = UInt32(model.trainingCaseCount)
            $0.epochs = UInt32(model.epochs)
            if let dice = model.bestValidationDice { $0.bestValidationDice = dice }
            if let dice = entry.meanTestDice { $0.meanTestDice = dice }
            $0.checkpoint = ArtifactRef.with { $0.sha256 = model.checkpointSHA256 }
        }
    }
}
