import Foundation
import Store
import TestSupport
import Testing

/// The schema rejects states the services must never produce.
@Suite(.tags(.stack), .needsLocalStack) struct SchemaTests {
    @Test func constraintViolationsComeBackTyped() async throws {
        try await withIsolatedSchema { client, _ in
            let dataset = UUID()
            try await client.query(Fixtures.datasetInsert(id: dataset, name: "cohort"))

            let duplicate = await #expect(throws: StoreError.self) {
                try await client.query(Fixtures.datasetInsert(id: dataset, name: "again"))
            }
            #expect(duplicate?.code == .uniqueViolation)
            #expect(duplicate?.sqlState == "23505")
            #expect(duplicate?.constraint == "datasets_pkey")

            let orphan = await #expect(throws: StoreError.self) {
                try await client.query(Fixtures.ingestedCaseInsert(dataset: UUID(), name: "orphan"))
            }
            #expect(orphan?.code == .foreignKeyViolation)
            #expect(orphan?.sqlState == "23503")

            let tooMany = await #expect(throws: StoreError.self) {
                try await client.query(Fixtures.experimentInsert(dataset: dataset, candidates: 10, picks: 11))
            }
            #expect(tooMany?.code == .checkViolation)
            #expect(tooMany?.sqlState == "23514")
            #expect(tooMany?.constraint == "experiments_picks_within_candidates")
            try await client.query(Fixtures.experimentInsert(dataset: dataset, candidates: 10, picks: 10))
        }
    }

    @Test func failedCaseNeedsAReason() async throws {
        try await withIsolatedSchema { client, _ in
            let dataset = UUID()
            try await client.query(Fixtures.datasetInsert(id: dataset, name: "cohort"))
            let error = await #expect(throws: StoreError.self) {
                try await client.query(Fixtures.failedCaseInsert(dataset: dataset, name: "broken", reason: nil))
            }
            #expect(error?.code == .checkViolation)
            #expect(error?.constraint == "cases_failed_has_reason")
            try await client.query(
                Fixtures.failedCaseInsert(dataset: dataset, name: "broken", reason: "truncated NIfTI header"))
        }
    }

    @Test func testSplitCaseCannotBeSelected() async throws {
        try await withIsolatedSchema { client, _ in
            let dataset = UUID()
            let experiment = UUID()
            let trainCase = UUID()
            let testCase = UUID()
            try await client.query(Fixtures.datasetInsert(id: dataset, name: "cohort"))
            try await client.query(
                Fixtures.ingestedCaseInsert(id: trainCase, dataset: dataset, name: "a", split: "train"))
            try await client.query(
                Fixtures.ingestedCaseInsert(id: testCase, dataset: dataset, name: "b", split: "test"))
            try await client.query(Fixtures.experimentInsert(id: experiment, dataset: dataset, candidates: 4, picks: 2))
            try await client.query(Fixtures.roundInsert(experiment: experiment, index: 0, phase: "selecting"))
            func select(_ caseID: UUID, rank: Int) -> PostgresQuery {
                """
                INSERT INTO experiment_cases (experiment_id, case_id, dataset_id, selected_round, selection_rank)
                VALUES (\(experiment), \(caseID), \(dataset), \(0), \(rank))
                """
            }
            try await client.query(select(trainCase, rank: 0))
            let error = await #expect(throws: StoreError.self) { try await client.query(select(testCase, rank: 1)) }
            #expect(error?.code == .foreignKeyViolation)
        }
    }

    @Test func roundsFollowOneAnother() async throws {
        try await withIsolatedSchema { client, _ in
            let dataset = UUID()
            let experiment = UUID()
            try await client.query(Fixtures.datasetInsert(id: dataset, name: "cohort"))
            try await client.query(Fixtures.experimentInsert(id: experiment, dataset: dataset, candidates: 4, picks: 2))
            let gap = await #expect(throws: StoreError.self) {
                try await client.query(Fixtures.roundInsert(experiment: experiment, index: 1, phase: "scoring"))
            }
            #expect(gap?.code == .foreignKeyViolation)
            let badPhase = await #expect(throws: StoreError.self) {
                try await client.query(Fixtures.roundInsert(experiment: experiment, index: 0, phase: "scoring"))
            }
            #expect(badPhase?.constraint == "rounds_first_is_not_scored")
            try await client.query(Fixtures.roundInsert(experiment: experiment, index: 0, phase: "selecting"))
            try await client.query(Fixtures.roundInsert(experiment: experiment, index: 1, phase: "scoring"))
        }
    }

    @Test func featureVectorsRoundTripAndRejectNaN() async throws {
        try await withIsolatedSchema { client, _ in
            let dataset = UUID()
            let experiment = UUID()
            let caseID = UUID()
            try await client.query(Fixtures.datasetInsert(id: dataset, name: "cohort"))
            try await client.query(Fixtures.ingestedCaseInsert(id: caseID, dataset: dataset, name: "a"))
            try await client.query(Fixtures.experimentInsert(id: experiment, dataset: dataset, candidates: 4, picks: 2))
            try await client.query(Fixtures.roundInsert(experiment: experiment, index: 0, phase: "evaluating"))
            func insert(_ vector: [Float]) -> PostgresQuery {
                """
                INSERT INTO features (experiment_id, round_index, case_id, dataset_id, vector)
                VALUES (\(experiment), \(1), \(caseID), \(dataset), \(vector))
                """
            }
            try await client.query(Fixtures.roundInsert(experiment: experiment, index: 1, phase: "scoring"))
            let nan = await #expect(throws: StoreError.self) { try await client.query(insert([0.5, .nan])) }
            #expect(nan?.constraint == "features_vector_shape")
            let vector = (0..<512).map { Float($0) / 7 - 30 }
            try await client.query(insert(vector))
            let stored = try await client.query("SELECT vector FROM features WHERE case_id = \(caseID)")
            #expect(try stored[0].decode("vector", as: [Float].self) == vector)
        }
    }
}
