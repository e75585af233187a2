import Proto
import ServiceRuntime
import WorkerSupport

/// `activeseg-scorer`: scores cases from the score-job queue, `ACTIVESEG_CONCURRENCY` at a time, and
/// draws overlays (`DrawOverlay`) for any caller in the `scorer` queue group. Configured by the
/// environment (see `ServiceConfiguration` and `WorkerSettings`); SIGTERM hands the jobs in hand
/// back to the queue and exits.
@main
enum ScorerMain {
    static func main() async {
        await ServiceApplication(worker: "scorer").run(
            ping: ScorerRPC.ping, responders: { [OverlayDrawing(loader: $0.loader).responder] }
        ) { environment in
            JobWorker(
                queue: environment.queue(ScorerRPC.score),
                handler: ScoreJobHandler(loader: environment.loader, jobs: environment.jobs),
                concurrency: environment.configuration.concurrency, logger: environment.logger)
        }
    }
}
