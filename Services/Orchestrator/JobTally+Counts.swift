import Domain
import Orchestration
import Store

extension JobTally {
    /// The tally of a phase's jobs as the database counted them.
    init(_ counts: JobCounts) {
        self.init(
            total: counts.total, succeeded: counts.succeeded, failed: counts.failed, firstFailure: counts.firstFailure)
    }

    /// The jobs `phase` of `round` waits for, counted by the database.
    static func load(
        of experimentID: ExperimentID, round: Int, phase: RoundPhase, on database: PostgresClient
    ) async throws -> JobTally {
        guard let prefix = ExperimentStateMachine.jobKeyPrefix(of: phase) else { return JobTally() }
        return JobTally(try await JobRepository.counts(of: experimentID, round: round, keyPrefix: prefix, on: database))
    }
}
