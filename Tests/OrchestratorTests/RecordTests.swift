import Domain
import Foundation
import Store
import TestSupport
import Testing

/// The experiment, round, pick and job records against a real PostgreSQL.
@Suite(.tags(.stack), .needsLocalStack)
struct RecordTests {
    @Test func aRepeatedCreateReturnsTheStoredExperimentUnchanged() async throws {
        try await TestDatabase.with { db in
            let cohort = try await CohortFixture.store(train: 6, test: 2, on: db.client)
            var experiment = cohort.experiment(strategy: .bootstrap)
            experiment.spec = Data([1, 2, 3])
            let created = try await ExperimentRepository.create(experiment, on: db.client)
            var retried = experiment
            retried.name = "another name"
            let again = try await ExperimentRepository.create(retried, on: db.client)
            #expect(again == created)
            #expect(
                created.name == "fixture" && created.design.bootstrapMembers == 3 && created.spec == Data([1, 2, 3]))
            #expect(try await ExperimentRepository.experiments(on: db.client).count == 1)
        }
    }

    @Test func statusChangesOnlyFromTheExpectedStatus() async throws {
        try await TestDatabase.with { db in
            let cohort = try await CohortFixture.store(train: 6, test: 2, on: db.client)
            let id = try await ExperimentRepository.create(cohort.experiment(), on: db.client).id
            #expect(try await ExperimentRepository.transition(id, from: .created, to: .running, on: db.client))
            #expect(try await !ExperimentRepository.transition(id, from: .created, to: .running, on: db.client))
            #expect(
                try await ExperimentRepository.transition(
                    id, from: .running, to: .failed, failureReason: "disk full",
                    on: db.client))
            let stored = try #require(try await ExperimentRepository.experiment(id, on: db.client))
            #expect(stored.status == .failed && stored.failureReason == "disk full" && stored.finishedAt != nil)
        }
    }

    @Test func aPhaseChangeAppliesOnceAndAFinishedRoundKeepsItsOutcome() async throws {
        try await TestDatabase.with { db in
            let cohort = try await CohortFixture.store(train: 6, test: 2, on: db.client)
            let id = try await ExperimentRepository.create(cohort.experiment(), on: db.client).id
            #expect(try await RoundRepository.open(0, of: id, in: .selecting, on: db.client))
            #expect(try await !RoundRepository.open(0, of: id, in: .selecting, on: db.client))
            #expect(try await RoundRepository.advance(0, of: id, from: .selecting, to: .annotating, on: db.client))
            #expect(try await !RoundRepository.advance(0, of: id, from: .selecting, to: .annotating, on: db.client))
            try await RoundRepository.advance(0, of: id, from: .annotating, to: .training, on: db.client)
            try await RoundRepository.advance(0, of: id, from: .training, to: .evaluating, on: db.client)
            let outcome = RoundRecord.Outcome(annotatedCount: 4, meanDice: 0.71, tostP: 0.2, equivalent: false)
            #expect(try await RoundRepository.finish(0, of: id, outcome: outcome, on: db.client))
            #expect(try await !RoundRepository.finish(0, of: id, outcome: outcome, on: db.client))
            let latest = try #require(try await RoundRepository.latest(of: id, on: db.client))
            #expect(latest.phase == .finished && latest.outcome == outcome)
        }
    }

    @Test func picksKeepTheirFirstRecordAndHumanLabelsAnnotateOnlyThatRoundsPicks() async throws {
        try await TestDatabase.with { db in
            let cohort = try await CohortFixture.store(train: 6, test: 2, on: db.client)
            let experiment = try await ExperimentRepository.create(cohort.experiment(annotation: .human), on: db.client)
            try await RoundRepository.open(0, of: experiment.id, in: .selecting, on: db.client)
            let picks = Array(cohort.trainingCases.prefix(3))
            try await ExperimentCaseRepository.recordPicks(
                picks, round: 0, of: experiment.id,
                datasetID: cohort.dataset.id, annotated: false, on: db.client)
            try await ExperimentCaseRepository.recordPicks(
                picks.reversed(), round: 0, of: experiment.id,
                datasetID: cohort.dataset.id, annotated: true, on: db.client)
            var stored = try await ExperimentCaseRepository.selections(of: experiment.id, on: db.client)
            #expect(stored.map(\.caseID) == picks && stored.allSatisfy { $0.annotatedRound == nil })

            let changed = try await ExperimentCaseRepository.markAnnotated(
                [picks[1], cohort.trainingCases[5]], round: 0, of: experiment.id, on: db.client)
            #expect(changed == [picks[1]])
            #expect(
                try await ExperimentCaseRepository.markAnnotated(
                    [picks[1]], round: 0, of: experiment.id,
                    on: db.client
                ).isEmpty)
            stored = try await ExperimentCaseRepository.selections(of: experiment.id, on: db.client)
            #expect(stored.map(\.annotatedRound) == [nil, 0, nil])
        }
    }

    @Test func aJobIsRecordedOncePerKeyAndAFinalStateNeverChanges() async throws {
        try await TestDatabase.with { db in
            let cohort = try await CohortFixture.store(train: 6, test: 2, on: db.client)
            let id = try await ExperimentRepository.create(cohort.experiment(), on: db.client).id
            try await RoundRepository.open(0, of: id, in: .selecting, on: db.client)
            let job = JobRecord(
                id: .random(), key: "train/\(id)/0/model", kind: .train, experimentID: id, roundIndex: 0,
                payload: Data([9]))
            let first = try await JobRepository.enqueue([job], on: db.client)
            var replanned = job
            replanned.id = .random()
            let second = try await JobRepository.enqueue([replanned], on: db.client)
            #expect(second == first && first[0].id == job.id)
            #expect(try await JobRepository.unfinished(on: db.client).map(\.id) == [job.id])

            #expect(try await JobRepository.startAttempt(job.id, worker: "trainer-2", on: db.client) == .queued)
            let worker = try await db.client.query("SELECT worker FROM jobs WHERE id = \(job.id)").first
            #expect(try worker?.decode("worker", as: String?.self) == "trainer-2")
            #expect(try await JobRepository.markSucceeded(job.id, on: db.client))
            #expect(try await !JobRepository.markSucceeded(job.id, on: db.client))
            #expect(try await !JobRepository.markFailed(job.id, reason: "late failure", on: db.client))
            let stored = try #require(try await JobRepository.job(job.id, on: db.client))
            #expect(stored.state == .succeeded && stored.attempts == 1 && stored.lastError == nil)
            #expect(try await JobRepository.unfinished(on: db.client).isEmpty)
            #expect(
                try await JobRepository.counts(of: id, round: 0, keyPrefix: "", on: db.client)
                    == JobTally(total: 1, succeeded: 1))
        }
    }

    @Test func aPhaseCountsOnlyItsRoundsJobsWithItsPrefixThroughTheRoundIndex() async throws {
        try await TestDatabase.with { db in
            let cohort = try await CohortFixture.store(train: 6, test: 2, on: db.client)
            let id = try await ExperimentRepository.create(cohort.experiment(), on: db.client).id
            try await RoundRepository.open(0, of: id, in: .selecting, on: db.client)
            try await RoundRepository.open(1, of: id, in: .scoring, on: db.client)
            func job(_ key: String, round: Int) -> JobRecord {
                JobRecord(
                    id: .random(), key: key, kind: .score, experimentID: id, roundIndex: round, payload: Data([1]))
            }
            let jobs = [
                job("score/\(id)/1/a", round: 1), job("score/\(id)/1/b", round: 1), job("score/\(id)/1/c", round: 1),
                job("evaluate/\(id)/1/d", round: 1), job("score/\(id)/0/e", round: 0),
            ]
            try await JobRepository.enqueue(jobs, on: db.client)
            try await JobRepository.markSucceeded(jobs[0].id, on: db.client)
            try await JobRepository.recordFailure(jobs[2].id, reason: "corrupt image", final: true, on: db.client)
            try await JobRepository.recordFailure(jobs[1].id, reason: "out of memory", final: true, on: db.client)
            try await JobRepository.markSucceeded(jobs[3].id, on: db.client)
            #expect(
                try await JobRepository.counts(of: id, round: 1, keyPrefix: "score/", on: db.client)
                    == JobTally(total: 3, succeeded: 1, failed: 2, firstFailure: "out of memory"))
            #expect(
                try await JobRepository.counts(of: id, round: 1, keyPrefix: "evaluate/", on: db.client)
                    == JobTally(total: 1, succeeded: 1))
            #expect(try await JobRepository.counts(of: id, round: 2, keyPrefix: "score/", on: db.client) == JobTally())

            // Among many rounds' jobs the count reads one round's through the index, not the table.
            try await db.client.query(
                """
                INSERT INTO jobs (id, key, kind, payload)
                SELECT gen_random_uuid(), 'reference/' || n, 'train', '\\x01' FROM generate_series(1, 5000) AS n
                """)
            try await db.client.query("ANALYZE jobs")
            let plan = try await db.client.query(
                """
                EXPLAIN SELECT count(*) FROM jobs
                WHERE experiment_id = \(id) AND round_index = \(1) AND starts_with(key, \("score/"))
                """
            ).map { try $0.decode("QUERY PLAN", as: String.self) }.joined(separator: "\n")
            #expect(plan.contains("jobs_by_round"), "\(plan)")
        }
    }
}
