import Domain
import Foundation
import Logging
import Proto
import ServiceRuntime
import Store

// Job handlers that commit results the way the trainer and scorer do — in one transaction with the
// job's state, then announced by the real `JobWorker` on the results stream — without training or
// running a network. They exercise the orchestrator's side of the job protocol: what it queues,
// and how it reacts to committed results. The Dice values follow a fixed pattern in which later
// rounds come closer to the full-data model.

/// The test Dice of a model on a case: the full-data model's per-case value, minus a gap that
/// halves each round, plus a small case-dependent wobble so paired differences are not constant.
func syntheticDice(caseIndex: Int, round: Int?) -> Double {
    let reference = 0.6 + 0.3 * Double((caseIndex * 37) % 11) / 10
    guard let round else { return reference }
    return reference - 0.2 * pow(0.5, Double(round)) + 0.01 * Double((caseIndex * 7 + round * 3) % 5 - 2)
}

/// Records a trained model for each train job.
struct TrainingResultWriter: JobHandler {
    let database: PostgresClient
    let datasetID: DatasetID

    func handle(_ job: TrainJob, id: String, delivery: Int, logger: Logger) async throws -> TrainResult? {
        let jobID: JobID = try typedID(id)
        let experimentID: ExperimentID? = job.experimentID.isEmpty ? nil : try typedID(job.experimentID)
        let modelID = ModelID.random()
        let checkpoint = String(repeating: "c", count: 64)
        let member = job.ensembleMember.map(Int.init)
        return try await database.withTransaction { transaction in
            guard try await JobRepository.markSucceeded(jobID, on: transaction) else { return nil }
            try await transaction.query(
                """
                INSERT INTO models (id, dataset_id, experiment_id, round_index, ensemble_member, is_full_data_reference,
                                    profile, checkpoint_sha256, training_case_count, epochs, job_id)
                VALUES (\(modelID), \(datasetID), \(experimentID), \(experimentID == nil ? nil : Int(job.round)), \(member),
                        \(experimentID == nil), 'tiny', \(checkpoint), \(job.trainingCases.count), 1, \(jobID))
                """)
            return TrainResult.with {
                $0.jobID = id
                $0.experimentID = job.experimentID
                $0.round = job.round
                $0.model = ModelRef.with { $0.modelID = modelID.wireForm }
            }
        }
    }

    func recordFailure(jobID: String, error: RPCError, final: Bool, logger: Logger) async throws {
        if final {
            try await JobRepository.markFailed(try typedID(jobID) as JobID, reason: error.message, on: database)
        }
    }
}

/// Records a score and features for each pool case, or a Dice for each test case.
struct ScoringResultWriter: JobHandler {
    let database: PostgresClient
    let datasetID: DatasetID
    /// Gives the full-data model the same Dice on every case, which admits no equivalence bounds.
    var flatReference = false

    func handle(_ job: ScoreJob, id: String, delivery: Int, logger: Logger) async throws -> ScoreResult? {
        let jobID: JobID = try typedID(id)
        let caseID: CaseID = try typedID(job.caseRef.caseID)
        let modelID: ModelID = try typedID(job.models[0].modelID)
        let index = try await caseIndex(caseID)
        return try await database.withTransaction { transaction in
            guard try await JobRepository.markSucceeded(jobID, on: transaction) else { return nil }
            var result = ScoreResult.with {
                $0.jobID = id
                $0.experimentID = job.experimentID
                $0.round = job.round
                $0.caseID = job.caseRef.caseID
            }
            if job.role == .test {
                let model = try await transaction.query(
                    "SELECT round_index FROM models WHERE id = \(modelID)")[0]
                let round = try model.decode("round_index", as: Int?.self)
                let dice = flatReference && round == nil ? 0.5 : syntheticDice(caseIndex: index, round: round)
                try await transaction.query(
                    """
                    INSERT INTO evaluations (model_id, case_id, dataset_id, dice)
                    VALUES (\(modelID), \(caseID), \(datasetID), \(dice))
                    """)
                result.dice = dice
            } else {
                let experimentID: ExperimentID = try typedID(job.experimentID)
                let score = Double((index * 13 + Int(job.round) * 5) % 17) / 17
                let method = job.method == .margins ? "margins" : "dropout-test"
                try await transaction.query(
                    """
                    INSERT INTO scores (experiment_id, round_index, case_id, dataset_id, method, value)
                    VALUES (\(experimentID), \(Int(job.round)), \(caseID), \(datasetID), \(method), \(score))
                    """)
                let features: [Float] = [Float(index % 3), Float(index % 5), 1, Float(job.round)]
                try await transaction.query(
                    """
                    INSERT INTO features (experiment_id, round_index, case_id, dataset_id, vector)
                    VALUES (\(experimentID), \(Int(job.round)), \(caseID), \(datasetID), \(features))
                    """)
                result.score = score
            }
            return result
        }
    }

    func recordFailure(jobID: String, error: RPCError, final: Bool, logger: Logger) async throws {
        if final {
            try await JobRepository.markFailed(try typedID(jobID) as JobID, reason: error.message, on: database)
        }
    }

    /// The case's position in its dataset by source name (the fixture names them in order).
    private func caseIndex(_ caseID: CaseID) async throws -> Int {
        let row = try await database.query("SELECT source_name FROM cases WHERE id = \(caseID)")[0]
        let name: String = try row.decode("source_name")
        return Int(name.drop { !$0.isNumber }) ?? 0
    }
}

private func typedID<ID: Identifier>(_ text: String) throws -> ID {
    guard let id = ID(wireForm: text) else {
        throw RPCError(.invalidArgument, "'\(text)' is not a UUID")
    }
    return id
}
