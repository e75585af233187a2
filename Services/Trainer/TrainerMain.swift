import Proto
import ServiceRuntime
import WorkerSupport

/// `activeseg-trainer`: trains models from the train-job queue. Configured by the environment (see
/// `ServiceConfiguration` and `WorkerSettings`); SIGTERM hands the job in hand back to the queue and
/// exits.
@main
enum TrainerMain {
    static func main() async {
        await ServiceApplication(worker: "trainer").run(ping: TrainerRPC.ping) { environment in
            JobWorker(
                queue: environment.queue(TrainerRPC.train),
                handler: TrainJobHandler(
                    loader: environment.loader, jobs: environment.jobs,
                    progress: ProgressPublisher(
                        connection: environment.connection,
                        configuration: environment.configuration)),
                concurrency: 1, logger: environment.logger)
        }
    }
}
