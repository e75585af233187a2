import Proto
import ServiceRuntime
import WorkerSupport

/// `activeseg-scorer`: scores cases from the score-job queue, `ACTIVESEG_CONCURRENCY` at a time.
/// Configured by the environment (see `ServiceConfiguration`); SIGTERM hands the jobs in hand back
/// to the queue and exits.
@main
enum ScorerMain {
    static func main() async {
        await WorkerEntryPoint.run(service: "scorer", ping: ScorerRPC.ping) { environment in
            JobWorker(
                queue: environment.queue(ScorerRPC.score),
                handler: ScoreJobHandler(loader: environment.loader, jobs: environment.jobs),
                concurrency: environment.configuration.concurrency, logger: environment.logger)
        }
    }
}
