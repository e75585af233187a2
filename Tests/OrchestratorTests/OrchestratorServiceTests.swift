import Bus
import Domain
import Foundation
import Profiles
import Proto
import ServiceRuntime
import Store
import TestSupport
import Testing

/// The orchestrator service on the real stack: its commands, whole experiments driven through the
/// real job queues (with `ResultWriters` in place of the trainer and scorer), restarts and the
/// leader lock.
@Suite(.serialized, .tags(.stack), .needsLocalStack)
struct OrchestratorServiceTests {
    static func spec(
        datasetID: DatasetID, strategy: UncertaintyMethod = .random, rounds: UInt32 = 2,
        initial: UInt32 = 4, pick: UInt32 = 2, seed: UInt64 = 21
    ) -> ExperimentSpec {
        ExperimentSpec.with {
            $0.name = "test"
            $0.datasetID = datasetID.wireForm
            $0.strategy = strategy
            $0.restriction = .none
            $0.initialCases = initial
            $0.topK = 3
            $0.pick = pick
            $0.stop = StopRule.with { $0.maxRounds = rounds }
            $0.seeds = [seed]
            $0.profile = .tiny
            $0.annotation = .oracle
            $0.validationFraction = 0.2
            $0.test = .paired
        }
    }

    static func count(_ table: String, on client: PostgresClient) async throws -> Int {
        try await client.query("SELECT count(*) AS n FROM \(identifier: table)")[0].decode("n")
    }

    @Test func commandsCreateStartReportAndCancelAnExperiment() async throws {
        try await Deployment.with { deployment in
            let cohort = try await CohortFixture.store(train: 8, test: 3, on: deployment.database.client)
            let orchestrator = try await deployment.orchestrator("orch-a")
            let client = try await deployment.client()
            let id = ExperimentID.random().wireForm
            let spec = Self.spec(datasetID: cohort.dataset.id)
            let create = CreateExperimentRequest.with {
                $0.experimentID = id
                $0.spec = spec
            }

            let created = try await deployment.createWhenLeading(client, id, spec: spec)
            #expect(created.state == .created && created.poolCases == 8 && created.spec == spec)
            #expect(try await client.call(OrchestratorRPC.create, create, timeout: .seconds(10)).state == .created)
            var changed = create
            changed.spec.pick = 3
            await #expect { try await client.call(OrchestratorRPC.create, changed, timeout: .seconds(10)) } throws: {
                ($0 as? RPCError)?.code == .alreadyExists
            }
            var invalid = create
            invalid.experimentID = UUID().uuidString
            invalid.spec.seeds = []
            await #expect { try await client.call(OrchestratorRPC.create, invalid, timeout: .seconds(10)) } throws: {
                ($0 as? RPCError)?.code == .invalidArgument && ($0 as? RPCError)?.details["field"] == "seeds"
            }
            // Entropy is on the wire, but no experiment runs it: the refusal says which strategies do.
            invalid.spec.seeds = [21]
            invalid.spec.strategy = .entropy
            await #expect { try await client.call(OrchestratorRPC.create, invalid, timeout: .seconds(10)) } throws: {
                guard let error = $0 as? RPCError else { return false }
                return error.code == .invalidArgument && error.details["field"] == "strategy"
                    && error.message.contains("entropy") && error.message.contains("dropout-train-test, dropout-test")
            }

            // Oracle annotation: round 0 draws and reveals its initial set and queues its training at once.
            let started = try await client.call(
                OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
            #expect(started.state == .running && started.round == 0 && started.phase == .training)
            #expect(started.annotatedCases == 4 && started.poolCases == 4)
            let jobs = try await JobRepository.unfinished(on: deployment.database.client)
            // Round 0's model and each of the tiny profile's two full-data reference members.
            #expect(jobs.map(\.kind) == [.train, .train, .train])
            #expect(
                jobs.filter { $0.experimentID == nil }.count == ExperimentProfile.tiny.activeLearning.referenceMembers,
                "each full-data reference member's training is queued once")

            let list = try await client.call(OrchestratorRPC.list, ListExperimentsRequest(), timeout: .seconds(10))
            #expect(list.experiments.map(\.experimentID) == [id])

            let cancelled = try await client.call(
                OrchestratorRPC.cancel,
                .with {
                    $0.experimentID = id
                    $0.reason = "test"
                },
                timeout: .seconds(10))
            #expect(cancelled.state == .cancelled)
            await #expect {
                try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(10))
            } throws: { ($0 as? RPCError)?.code == .failedPrecondition }
            await #expect {
                try await client.call(
                    OrchestratorRPC.status, .with { $0.experimentID = UUID().uuidString },
                    timeout: .seconds(10))
            } throws: { ($0 as? RPCError)?.code == .notFound }
            await client.connection.close()
            try await orchestrator.stop()
        }
    }

    @Test func roundZeroAnnotatesFurtherCasesOfItsDrawUntilHalfOfItsCountShowATumor() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            // Of 12 training cases only Case_002 and Case_009 hold a tumor; Case_005's 0 voxels show none.
            let cohort = try await CohortFixture.store(
                train: 12, test: 3, labelVoxels: { [2, 9].contains($0) ? 40 : 0 },
                on: database)
            let orchestrator = try await deployment.orchestrator("orch-a")
            let client = try await deployment.client()
            let id = ExperimentID.random().wireForm
            _ = try await deployment.createWhenLeading(client, id, spec: Self.spec(datasetID: cohort.dataset.id))
            let started = try await client.call(
                OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
            #expect(started.round == 0 && started.phase == .training)

            let experimentID = try #require(ExperimentID(wireForm: id))
            let picks = try await ExperimentCaseRepository.selections(of: experimentID, on: database)
            let tumors = Set([cohort.trainingCases[2], cohort.trainingCases[9]])
            #expect(picks.count > 4 && started.annotatedCases == picks.count)
            #expect(picks.map(\.selectionRank) == Array(0..<picks.count))
            #expect(picks.allSatisfy { $0.selectedRound == 0 && $0.annotatedRound == 0 })
            #expect(tumors.isSubset(of: picks.map(\.caseID)), "the tiny profile asks two of four cases to show a tumor")
            // The extension follows the draw: the last case added is the one that completed the two tumors.
            #expect(tumors.contains(try #require(picks.last).caseID))
            let training = try await JobRepository.unfinished(on: database).filter { $0.experimentID == experimentID }
            #expect(training.map(\.kind) == [.train])
            await client.connection.close()
            try await orchestrator.stop()
        }
    }

    @Test func createRefusesASpecOutsideItsLimitsNamingTheFieldAndTheLimit() async throws {
        try await Deployment.with { deployment in
            let cohort = try await CohortFixture.store(train: 8, test: 3, on: deployment.database.client)
            let orchestrator = try await deployment.orchestrator("orch-a")
            let client = try await deployment.client()
            try await deployment.waitUntilServing(client, OrchestratorRPC.ping)
            var spec = Self.spec(datasetID: cohort.dataset.id, strategy: .bootstrap)
            spec.bootstrapMembers = 1_000_000
            let create = CreateExperimentRequest.with {
                $0.experimentID = ExperimentID.random().wireForm
                $0.spec = spec
            }

            do throws(RPCError) {
                let status = try await client.call(OrchestratorRPC.create, create, timeout: .seconds(10))
                Issue.record("created \(status.experimentID) with a million bootstrap members")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.message == "bootstrap_members is 1000000, outside its limit: 0…32")
                #expect(error.details["field"] == "bootstrap_members" && error.details["limit"] == "0…32")
            }
            #expect(try await Self.count("experiments", on: deployment.database.client) == 0)
            await client.connection.close()
            try await orchestrator.stop()
        }
    }

    @Test func anExperimentRunsItsRoundsToTheEndAndPicksTheMostUncertainCases() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let cohort = try await CohortFixture.store(train: 10, test: 4, on: database)
            var groups = try await deployment.selectorAndStats()
            groups.append(try await deployment.workers(datasetID: cohort.dataset.id))
            groups.append(try await deployment.orchestrator("orch-a"))
            let client = try await deployment.client()
            let id = ExperimentID.random().wireForm
            let finishedEvents = try await client.connection.subscribe(
                to: "\(deployment.prefix).activeseg.v1.events.\(id).round.finished")
            try await client.connection.flush()

            _ = try await deployment.createWhenLeading(
                client, id, spec: Self.spec(datasetID: cohort.dataset.id, strategy: .margins))
            _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
            let finished = try await deployment.waitForStatus(client, id, "the experiment to finish") {
                $0.state == .finished || $0.state == .failed
            }
            #expect(finished.state == .finished, "\(finished.failureReason)")
            #expect(finished.round == 2 && finished.phase == .done && finished.annotatedCases == 8)

            let experimentID = try #require(ExperimentID(wireForm: id))
            let rounds = try await RoundRepository.rounds(of: experimentID, on: database)
            #expect(rounds.map(\.phase) == [.finished, .finished, .finished])
            #expect(rounds.compactMap(\.outcome?.annotatedCount) == [4, 6, 8])
            // margins without restriction: each later round picks the two highest stored scores of its pool
            let selections = try await ExperimentCaseRepository.selections(of: experimentID, on: database)
            for round in 1...2 {
                let scores = try await database.query(
                    """
                    SELECT case_id FROM scores WHERE experiment_id = \(experimentID) AND round_index = \(round)
                    ORDER BY value DESC, case_id LIMIT 2
                    """
                ).map { try $0.decode("case_id", as: CaseID.self) }
                let picked = selections.filter { $0.selectedRound == round }.map(\.caseID)
                #expect(Set(picked) == Set(scores), "round \(round)")
            }
            // one model per round and the two full-data reference members; every score job scored its case once
            #expect(try await Self.count("models", on: database) == 3 + 2)
            #expect(try await Self.count("scores", on: database) == 6 + 4)
            #expect(try await Self.count("evaluations", on: database) == 4 * 4)
            // every score job carries the profile's top fraction, so no scorer has to look it up
            let scoreJobs = try await database.query("SELECT payload FROM jobs WHERE kind = 'score'")
                .map { try ScoreJob(serializedBytes: $0.decode("payload", as: Data.self)) }
            #expect(!scoreJobs.isEmpty)
            #expect(
                scoreJobs.allSatisfy {
                    $0.hasTopFraction && $0.topFraction == ExperimentProfile.tiny.activeLearning.topFraction
                })

            var events: [RoundFinished] = []
            for await message in finishedEvents {
                events.append(try RoundFinished(serializedBytes: message.payload))
                if events.count == 3 { break }
            }
            #expect(events.map(\.round) == [0, 1, 2])
            #expect(events.map(\.dataShare) == [0.4, 0.6, 0.8])
            #expect(events.allSatisfy { $0.dice.count == 4 && $0.tostP >= 0 && $0.tostP <= 1 })

            await client.connection.close()
            for group in groups.reversed() { try await group.stop() }
        }
    }

    /// The first orchestrator stops while round 0's training is queued; the workers finish those
    /// jobs while no orchestrator runs, so their notices wait in the stream; the second takes over
    /// from the stored state and the waiting notices.
    @Test func aRestartedOrchestratorResumesWithoutRepeatingWork() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let cohort = try await CohortFixture.store(train: 10, test: 4, on: database)
            var groups = try await deployment.selectorAndStats()
            let first = try await deployment.orchestrator("orch-a")
            let client = try await deployment.client()
            let interrupted = ExperimentID.random().wireForm
            let uninterrupted = ExperimentID.random().wireForm
            let spec = Self.spec(datasetID: cohort.dataset.id, strategy: .random, rounds: 3)
            for id in [interrupted, uninterrupted] {
                _ = try await deployment.createWhenLeading(client, id, spec: spec)
            }
            let started = try await client.call(
                OrchestratorRPC.start, .with { $0.experimentID = interrupted },
                timeout: .seconds(30))
            #expect(started.phase == .training)
            try await first.stop()

            groups.append(try await deployment.workers(datasetID: cohort.dataset.id))
            _ = try await within(Deployment.timeout, "the queued training to finish") {
                while try await !JobRepository.unfinished(on: database).isEmpty {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let interruptedID = try #require(ExperimentID(wireForm: interrupted))
            #expect(
                try await RoundRepository.latest(of: interruptedID, on: database)?.phase == .training,
                "no orchestrator ran, so round 0 is still training")

            let second = try await deployment.orchestrator("orch-b")
            let resumed = try await deployment.waitForStatus(client, interrupted, "the resumed experiment to finish") {
                $0.state == .finished || $0.state == .failed
            }
            #expect(resumed.state == .finished, "\(resumed.failureReason)")
            _ = try await client.call(
                OrchestratorRPC.start, .with { $0.experimentID = uninterrupted }, timeout: .seconds(30))
            let reference = try await deployment.waitForStatus(client, uninterrupted, "the second experiment to finish")
            {
                $0.state == .finished || $0.state == .failed
            }
            #expect(reference.state == .finished)

            // The same seeds give the same picks and the same Dice, interrupted or not.
            func picks(_ id: String) async throws -> [[CaseID]] {
                let selections = try await ExperimentCaseRepository.selections(
                    of: ExperimentID(wireForm: id)!, on: database)
                return (0...3).map { round in selections.filter { $0.selectedRound == round }.map(\.caseID) }
            }
            #expect(try await picks(interrupted) == picks(uninterrupted))
            #expect(try await picks(interrupted).map(\.count) == [4, 2, 2, 2])
            func outcomes(_ id: String) async throws -> [RoundRecord.Outcome?] {
                try await RoundRepository.rounds(of: ExperimentID(wireForm: id)!, on: database).map(\.outcome)
            }
            #expect(try await outcomes(interrupted) == outcomes(uninterrupted))

            // Per experiment: 4 rounds' training and 4 × 4 evaluations; once: the full-data reference's
            // two members and its 4 evaluations.
            #expect(try await Self.count("jobs", on: database) == 2 * (4 + 16) + 2 + 4)
            #expect(try await Self.count("models", on: database) == 2 * 4 + 2)

            await client.connection.close()
            try await second.stop()
            for group in groups.reversed() { try await group.stop() }
        }
    }

    /// Every notice of a finished experiment is delivered again under a new message id (as from a
    /// worker that retried after losing its ack), and the next leader reconciles once more: no row
    /// changes.
    @Test func duplicateNoticesAndAReconciliationChangeNothing() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let cohort = try await CohortFixture.store(train: 8, test: 3, on: database)
            var groups = try await deployment.selectorAndStats()
            groups.append(try await deployment.workers(datasetID: cohort.dataset.id))
            let first = try await deployment.orchestrator("orch-a")
            let client = try await deployment.client()
            let id = ExperimentID.random().wireForm
            _ = try await deployment.createWhenLeading(
                client, id, spec: Self.spec(datasetID: cohort.dataset.id, strategy: .margins, rounds: 1))
            _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
            let finished = try await deployment.waitForStatus(client, id, "the experiment to finish") {
                $0.state == .finished || $0.state == .failed
            }
            #expect(finished.state == .finished, "\(finished.failureReason)")
            let before = try await Snapshot.take(database)

            let jetStream = try JetStream(connection: client.connection)
            let jobs = try await database.query("SELECT id, kind FROM jobs")
            for job in jobs {
                let jobID = try job.decode("id", as: JobID.self).wireForm
                let isTraining = try job.decode("kind", as: String.self) == "train"
                let body =
                    isTraining
                    ? try TrainResult.with { $0.jobID = jobID }.serializedData()
                    : try ScoreResult.with { $0.jobID = jobID }.serializedData()
                try await jetStream.publish(
                    body,
                    to: "\(deployment.prefix).activeseg.v1.results."
                        + (isTraining ? "trainer" : "scorer"), messageID: UUID().uuidString)
            }
            try await waitUntilConsumed(deployment, client: client)
            #expect(try await Snapshot.take(database) == before)

            try await first.stop()
            let second = try await deployment.orchestrator("orch-b")
            let after = try await deployment.waitForStatus(client, id, "the next leader to answer") { _ in true }
            #expect(after.state == .finished && after.round == finished.round)
            #expect(try await Snapshot.take(database) == before)

            await client.connection.close()
            try await second.stop()
            for group in groups.reversed() { try await group.stop() }
        }
    }

    @Test func diceTheEquivalenceTestRefusesFailTheExperimentWithTheReason() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let cohort = try await CohortFixture.store(train: 8, test: 3, on: database)
            var groups = try await deployment.selectorAndStats()
            groups.append(try await deployment.workers(datasetID: cohort.dataset.id, flatReference: true))
            groups.append(try await deployment.orchestrator("orch-a"))
            let client = try await deployment.client()
            let id = ExperimentID.random().wireForm
            _ = try await deployment.createWhenLeading(client, id, spec: Self.spec(datasetID: cohort.dataset.id))
            _ = try await client.call(OrchestratorRPC.start, .with { $0.experimentID = id }, timeout: .seconds(30))
            let stopped = try await deployment.waitForStatus(client, id, "the experiment to stop") {
                $0.state == .finished || $0.state == .failed
            }
            #expect(stopped.state == .failed && stopped.round == 0 && stopped.phase == .evaluating)
            #expect(
                stopped.failureReason.hasPrefix("round 0: the equivalence test refused the Dice"),
                "\(stopped.failureReason)")
            await client.connection.close()
            for group in groups.reversed() { try await group.stop() }
        }
    }

    /// Waits until the orchestrator's durable consumer has handled and acknowledged every notice.
    private func waitUntilConsumed(_ deployment: Deployment, client: RPCClient) async throws {
        let stream = "ACTIVESEG_RESULTS_" + deployment.prefix.uppercased()
        _ = try await within(Deployment.timeout, "the notices to be handled") {
            while true {
                let reply = try await client.connection.request(
                    Data(), to: "$JS.API.CONSUMER.INFO.\(stream).orchestrator", timeout: .seconds(5))
                let info = try JSONDecoder().decode(ConsumerInfo.self, from: reply.payload)
                if info.pending == 0 && info.ackPending == 0 { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    @Test func aWaitingInstanceTakesOverWhenTheLeadersSessionEnds() async throws {
        try await Deployment.with { deployment in
            let first = try await deployment.orchestrator("orch-first")
            let client = try await deployment.client()
            let leader = try await within(Deployment.timeout, "a leader") {
                while true {
                    if let pong = try? await client.call(OrchestratorRPC.ping, HealthPing(), timeout: .seconds(2)) {
                        return pong.instanceID
                    }
                }
            }
            #expect(leader == "orch-first")
            let second = try await deployment.orchestrator("orch-second")
            let admin = deployment.database.client
            // The second instance waits: it holds no lock and answers nothing.
            _ = try await within(Deployment.timeout, "the second instance's session") {
                while try await admin.query(
                    """
                    SELECT 1 FROM pg_stat_activity WHERE application_name = 'orch-second-leader'
                    """
                ).isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            for _ in 0..<5 {
                #expect(
                    try await client.call(OrchestratorRPC.ping, HealthPing(), timeout: .seconds(5)).instanceID
                        == "orch-first")
            }
            let holders = try await admin.query(
                """
                SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                WHERE l.locktype = 'advisory' AND a.application_name IN ('orch-first-leader', 'orch-second-leader')
                """
            ).map { try $0.decode("application_name", as: String.self) }
            #expect(holders == ["orch-first-leader"])

            // The leader's database session ends (its process died): the lock goes with it.
            try await admin.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'orch-first-leader'
                """)
            try await first.stop()
            let successor = try await within(Deployment.timeout, "the takeover") {
                while true {
                    if let pong = try? await client.call(OrchestratorRPC.ping, HealthPing(), timeout: .seconds(2)),
                        pong.instanceID == "orch-second"
                    {
                        return pong.instanceID
                    }
                }
            }
            #expect(successor == "orch-second")
            await client.connection.close()
            try await second.stop()
        }
    }
}

/// The fields of JetStream's consumer info this suite reads (names as the server sends them).
private struct ConsumerInfo: Decodable {
    var pending: Int
    var ackPending: Int

    enum CodingKeys: String, CodingKey {
        case pending = "num_pending"
        case ackPending = "num_ack_pending"
    }
}

/// The rows an experiment leaves, compared before and after something that must change nothing.
private struct Snapshot: Equatable {
    var jobs: [String]
    var rounds: [String]
    var picks: [String]
    var counts: [Int]

    static func take(_ database: PostgresClient) async throws -> Snapshot {
        func lines(_ query: PostgresQuery) async throws -> [String] {
            try await database.query(query).map { try $0.decode("line", as: String.self) }
        }
        return Snapshot(
            jobs: try await lines(
                "SELECT concat_ws('/', id, key, state, attempts, updated_at) AS line FROM jobs ORDER BY key"),
            rounds: try await lines(
                """
                SELECT concat_ws('/', experiment_id, round_index, phase, phase_changed_at, annotated_count, mean_dice, tost_p)
                AS line FROM rounds ORDER BY experiment_id, round_index
                """),
            picks: try await lines(
                """
                SELECT concat_ws('/', case_id, selected_round, selection_rank, annotated_round) AS line
                FROM experiment_cases ORDER BY case_id
                """),
            counts: [
                try await OrchestratorServiceTests.count("models", on: database),
                try await OrchestratorServiceTests.count("scores", on: database),
                try await OrchestratorServiceTests.count("evaluations", on: database),
            ])
    }
}
