import Bus
import Domain
import Foundation
import Logging
import Proto
import ServiceRuntime
import Store
import TestSupport
import Testing

/// The services on a three-node NATS cluster with every stream replicated to all three nodes
/// (`ACTIVESEG_NATS_REPLICAS=3`): the node leading the job stream dies (SIGKILL) while score
/// jobs are queued or running, and the comparison still finishes with every case of each round's
/// pool scored, because the other two nodes keep the stream and the services reconnect to them.
@Suite(.serialized, .tags(.stack), .needsLocalStack) struct ClusteredNATSTests {
    static let rounds = 2

    @Test func aComparisonFinishesWhenTheJobStreamLeaderDies() async throws {
        let cluster = try PrivateNATSCluster()
        try await cluster.start()
        defer { cluster.stop() }
        let logger = Logger(label: "activeseg.cli-tests") { _ in SwiftLogNoOpLogHandler() }
        let bus = BusConfiguration(servers: cluster.urls, clientName: "activeseg-cluster-test")
        let connection = try await BusConnection.connect(bus, logger: logger)
        do {
            try await Self.compareWhileTheJobStreamLeaderDies(
                on: cluster, jetStream: try JetStream(connection: connection), logger: logger)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    /// Runs a two-round margins comparison on services configured for the cluster and kills the
    /// job stream's leader as soon as score jobs are queued or running.
    static func compareWhileTheJobStreamLeaderDies(
        on cluster: PrivateNATSCluster, jetStream: JetStream, logger: Logger
    ) async throws {
        let settings = [
            "ACTIVESEG_NATS_URL": cluster.urls.joined(separator: ","), "ACTIVESEG_NATS_USER": "",
            "ACTIVESEG_NATS_PASSWORD": "", "ACTIVESEG_NATS_TOKEN": "", "ACTIVESEG_NATS_REPLICAS": "3",
            // A job whose ack died with the node comes back after seconds, not a minute; a job
            // the orchestrator could not queue while the stream elected its new leader is queued
            // again by the next sweep, seconds later instead of minutes.
            "ACTIVESEG_JOB_ACK_WAIT": "5", "ACTIVESEG_ORCHESTRATOR_SWEEP": "2",
            "ACTIVESEG_JOB_REPUBLISH_AFTER": "10",
        ]
        try await ServiceProcesses.with(settings: settings) { stack in
            let (folder, environment) = (stack.folder.url, stack.environment)
            let prefix = try #require(environment["ACTIVESEG_SUBJECT_PREFIX"])
            let jobs = JobQueue(ScorerRPC.score, jetStream: jetStream, subjectPrefix: prefix)
            let events = EventStream(jetStream: jetStream, subjectPrefix: prefix)
            let dataset = try #require(try await stack.ingestSyntheticCohort()["dataset_id"] as? String)

            async let compare = activeseg(
                [
                    "experiment", "compare", "--dataset", dataset, "--profile", "tiny", "--rounds", "\(Self.rounds)",
                    "--strategy", "margins", "--ids-out", "ids.txt",
                ], in: folder, environment: environment)
            let killed = try await within(ServiceProcesses.timeout, "score jobs to be in flight") {
                while true {
                    let scoring = try await jetStream.consumerState(stream: jobs.jobsStream, durableName: "scorer")
                    if scoring.pending + UInt64(max(scoring.ackPending, 0)) > 0 { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let leader = try #require(try await jetStream.streamState(jobs.jobsStream).leader)
                let index = try #require((0..<PrivateNATSCluster.nodeCount).first { cluster.serverName($0) == leader })
                cluster.kill(index)
                return leader
            }
            let run = await compare
            try #require(run.status == .success, "\(run.errors)")
            #expect(run.output.split(separator: "\n").contains { $0.hasPrefix("margins ") }, "\(run.output)")

            // The two nodes left keep every stream at three replicas, one of them leading it now.
            for stream in [jobs.jobsStream, jobs.resultsStream, events.name] {
                let state = try await jetStream.streamState(stream)
                #expect(state.replicas == 3, "\(stream)")
                #expect(state.leader != nil && state.leader != killed, "\(stream) is led by \(state.leader ?? "none")")
            }
            #expect(try await jetStream.streamState(jobs.jobsStream).messages == 0, "a job was left in the queue")

            let ids = try String(contentsOf: folder.appendingPathComponent("ids.txt"), encoding: .utf8)
            let experiment = try #require(ExperimentID(wireForm: ids.trimmingCharacters(in: .whitespacesAndNewlines)))
            try await Self.checkEveryCaseScoredOncePerRound(experiment, environment: environment, logger: logger)
        }
    }

    /// The tiny cohort's 10 training cases start with 4 annotated and gain 2 a round, so rounds 1
    /// and 2 score pools of 6 and 4 cases, each case once (one row per case and round); and no job
    /// of the experiment failed or was left running.
    static func checkEveryCaseScoredOncePerRound(
        _ experiment: ExperimentID, environment: [String: String], logger: Logger
    ) async throws {
        let database = PostgresClient(
            configuration: try PostgresConfiguration(environment: environment), logger: logger)
        do {
            for (round, pool) in [(1, 6), (2, 4)] {
                let scored = try await database.query(
                    """
                    SELECT count(*) AS n, count(DISTINCT case_id) AS cases FROM scores
                    WHERE experiment_id = \(experiment) AND round_index = \(round)
                    """)[0]
                #expect(try scored.decode("n", as: Int.self) == pool, "round \(round)")
                #expect(try scored.decode("cases", as: Int.self) == pool, "round \(round)")
            }
            let states = try await database.query(
                "SELECT DISTINCT state FROM jobs WHERE experiment_id = \(experiment)"
            ).map { try $0.decode("state", as: String.self) }
            #expect(states == ["succeeded"])
            await database.shutdown()
        } catch {
            await database.shutdown()
            throw error
        }
    }
}
