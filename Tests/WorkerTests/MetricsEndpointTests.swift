import Bus
import Foundation
import Proto
import ServiceRuntime
import TestSupport
import Testing

/// Services started as their executables serve `GET /metrics` where `ACTIVESEG_METRICS_PORT` asks
/// for it, and the figures follow what they did: a scorer's job and rpc counters and histograms, its
/// queue's backlog gauges, and the leading orchestrator's experiments by status.
@Suite(.serialized, .tags(.stack), .needsLocalStack) struct MetricsEndpointTests {
    @Test func aScorerAndTheOrchestratorReportWhatTheyDidAsPrometheusText() async throws {
        try await WorkerFixture.with(train: 3, test: 0) { fixture in
            let jobID = try await fixture.recordRunningScoreJob(passes: 2)

            var environment = fixture.processEnvironment(ackWaitSeconds: 30)
            environment["ACTIVESEG_CONCURRENCY"] = "1"
            environment["ACTIVESEG_ORCHESTRATOR_SWEEP"] = "1"
            let (scorerPort, orchestratorPort) = (try LoopbackSocket.freePort(), try LoopbackSocket.freePort())
            var orchestratorEnvironment = environment
            orchestratorEnvironment["ACTIVESEG_METRICS_PORT"] = String(orchestratorPort)
            environment["ACTIVESEG_METRICS_PORT"] = String(scorerPort)
            let scorerMetrics = try #require(URL(string: "http://127.0.0.1:\(scorerPort)/metrics"))
            let orchestratorMetrics = try #require(URL(string: "http://127.0.0.1:\(orchestratorPort)/metrics"))

            try await WorkerProcess.with("activeseg-orchestrator", environment: orchestratorEnvironment) { _ in
                try await WorkerProcess.with("activeseg-scorer", environment: environment) { _ in
                    try await eventually("the scorer to finish the job") {
                        try await fixture.jobState(jobID).state == "succeeded"
                    }
                    let configuration = try ServiceConfiguration(service: "client", environment: environment)
                    let connection = try await BusConnection.connect(
                        configuration.bus, logger: WorkerTestSupport.logger)
                    let client = RPCClient(connection: connection, subjectPrefix: fixture.prefix)
                    for _ in 0..<2 { _ = try await client.call(ScorerRPC.ping, HealthPing(), timeout: .seconds(30)) }
                    await connection.close()

                    let scrape = try await PrometheusScrape.fetch(scorerMetrics)
                    #expect(scrape.types["activeseg_jobs_taken_total"] == "counter")
                    #expect(scrape.samples[#"activeseg_jobs_taken_total{kind="score"}"#] == 1)
                    #expect(scrape.samples[#"activeseg_jobs_finished_total{kind="score"}"#] == 1)
                    #expect(scrape.types["activeseg_job_duration_seconds"] == "histogram")
                    #expect(scrape.samples[#"activeseg_job_duration_seconds_count{kind="score"}"#] == 1)
                    #expect(scrape.types["activeseg_rpc_requests_total"] == "counter")
                    #expect(scrape.samples[#"activeseg_rpc_requests_total{method="scorer.ping",code="ok"}"#] == 2)
                    #expect(scrape.samples[#"activeseg_rpc_duration_seconds_count{method="scorer.ping"}"#] == 2)
                    // The backlog is read every few seconds, so a reading from before the job was
                    // acknowledged may still stand: wait for one that shows nothing waiting.
                    try await eventually("the scorer to report an empty backlog") {
                        try await PrometheusScrape.fetch(scorerMetrics).samples[
                            #"activeseg_jobs_pending{kind="score"}"#]
                            == 0
                    }
                    let backlog = try await PrometheusScrape.fetch(scorerMetrics)
                    #expect(backlog.types["activeseg_jobs_pending"] == "gauge")
                    #expect(backlog.samples[#"activeseg_jobs_pending{kind="score"}"#] == 0)
                    #expect(backlog.samples[#"activeseg_jobs_in_progress{kind="score"}"#] == 0)
                }
                // One experiment in the fixture's schema, whatever status its round took it to.
                try await eventually("the orchestrator to count the experiments") {
                    let scrape = try await PrometheusScrape.fetch(orchestratorMetrics)
                    let statuses = ["created", "running", "finished", "failed", "cancelled"]
                    let counts = statuses.compactMap { scrape.samples[#"activeseg_experiments{status="\#($0)"}"#] }
                    return scrape.types["activeseg_experiments"] == "gauge" && counts.count == 5
                        && counts.reduce(0, +) == 1
                }
            }
        }
    }
}
