import Domain
import Orchestration
import Store

extension JobTally {
    /// The jobs `phase` of `round` waits for, counted by the database.
    static func load(
        of experimentID: ExperimentID, round: Int, phase: RoundPhase, on database: PostgresClient
    ) async throws -> JobTally {
        guard let prefix = ExperimentStateMachine.jobKeyPrefix(of: phase) else { return JobTally() }
        return try await JobRepository.counts(of: experimentID, round: round, keyPrefix: prefix, on: database)
    }
}
