import Logging
import ServiceLifecycle
import ServiceRuntime
import Store

/// Keeps the `activeseg_experiments` gauge (experiments by status) current while this instance
/// leads, reading the counts from PostgreSQL once per sweep: only the leader reports them, so a
/// standby orchestrator does not add a second series.
struct ExperimentGauge: Sendable {
    let database: PostgresClient
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled {
            do {
                let counts = try await ExperimentRepository.statusCounts(on: database)
                ServiceMetrics.recordExperiments(
                    Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                    statuses: ExperimentRecord.Status.allCases.map(\.rawValue))
            } catch is CancellationError {
                return
            } catch {
                logger.warning("experiment counts not read", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: interval)
        }
    }
}
