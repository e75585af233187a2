import Domain
import Foundation
import Logging
import Store
import TestSupport
import Testing

@testable import CommandLineTools

/// `case list` and `case show` against the stack's PostgreSQL, each test in a schema of its own.
@Suite(.tags(.stack), .needsLocalStack) struct CaseCommandTests {
    @Test func listShowsEveryCaseAndFiltersByState() async throws {
        try await withCaseFixture { fixture in
            let all = await activeseg(["case", "list", "--json"], in: fixture.folder, environment: fixture.environment)
            #expect(all.status == .success, "\(all.errors)")
            let cases = try decode([CaseSummary].self, from: all.output)
            #expect(cases.map(\.name) == ["case-a", "case-b", "case-c"])
            #expect(cases.map(\.state) == ["ingested", "ingested", "failed"])
            #expect(cases.map(\.split) == ["train", "test", nil])
            #expect(cases[2].failureReason == "T2 is missing")
            #expect(cases.map(\.labelled) == [false, true, false])

            let failed = await activeseg(
                ["case", "list", "--state", "failed", "--dataset", fixture.dataset.uuidString],
                in: fixture.folder, environment: fixture.environment)
            #expect(failed.status == .success, "\(failed.errors)")
            #expect(failed.output.contains("case-c"))
            #expect(failed.output.contains("T2 is missing"))
            #expect(!failed.output.contains("case-a"))

            let otherDataset = await activeseg(
                ["case", "list", "--dataset", UUID().uuidString], in: fixture.folder,
                environment: fixture.environment)
            #expect(otherDataset.output == "no cases\n")
        }
    }

    @Test func showGivesTheRoundsThatPickedAndAnnotatedACase() async throws {
        try await withCaseFixture { fixture in
            let run = await activeseg(
                ["case", "show", fixture.picked.uuidString, "--json"], in: fixture.folder,
                environment: fixture.environment)
            #expect(run.status == .success, "\(run.errors)")
            let report = try decode(CaseShowCommand.Report.self, from: run.output)
            #expect(report.case.name == "case-a")
            #expect(report.experiments.count == 1)
            #expect(report.experiments.first?.experiment == "margins-run")
            #expect(report.experiments.first?.selectedRound == 1)
            #expect(report.experiments.first?.annotatedRound == nil, "picked, label not delivered yet")
            #expect(report.experiments.first?.strategy == .margins)
            #expect(report.experiments.first?.restriction == .representative)

            let text = await activeseg(
                ["case", "show", fixture.picked.uuidString], in: fixture.folder,
                environment: fixture.environment)
            #expect(text.output.contains("margins-run"))
            #expect(text.output.contains("not yet"))
            #expect(text.output.contains("margins+representative"), "the strategy spelled as everywhere else")
        }
    }

    @Test func anUnknownCaseIsADataErrorAndAMalformedIdAUsageError() async throws {
        try await withCaseFixture { fixture in
            let unknown = await activeseg(
                ["case", "show", UUID().uuidString], in: fixture.folder, environment: fixture.environment)
            #expect(unknown.status == .dataError)
            #expect(unknown.errors.contains("no such case"))
            let malformed = await activeseg(
                ["case", "show", "case-a"], in: fixture.folder, environment: fixture.environment)
            #expect(malformed.status == .usage)
        }
    }

    @Test func withoutTheServicesTheCommandSaysHowToStartThem() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["case", "list"], in: folder.url, environment: [:])
        #expect(run.status == .unavailable)
        #expect(run.errors.contains("hint: run `activeseg stack up` and start the services"))
    }
}

/// A dataset with an unannotated training case picked in round 1 of a human-mode experiment, a
/// labelled test case and a failed case, recorded in the schema of the ingest and orchestrator
/// processes that answer the commands about them.
struct CaseFixture {
    var folder: URL
    var environment: [String: String]
    var dataset: UUID
    var picked: UUID
    var experiment: UUID
}

/// The services answering are `services`; by default those that answer the case views.
func withCaseFixture(
    _ services: [String] = ["ingest", "orchestrator"], _ body: (CaseFixture) async throws -> Void
) async throws {
    try await ServiceProcesses.with(services) { stack in
        let client = PostgresClient(
            configuration: try PostgresConfiguration(environment: stack.environment),
            logger: Logger(label: "activeseg.cli.tests") { _ in SwiftLogNoOpLogHandler() })
        do {
            let fixture = try await recordCaseFixture(
                on: client, folder: stack.folder.url, environment: stack.environment)
            await client.shutdown()
            try await body(fixture)
        } catch {
            await client.shutdown()
            throw error
        }
    }
}

private func recordCaseFixture(
    on client: PostgresClient, folder: URL, environment: [String: String]
) async throws -> CaseFixture {
    let dataset = try await DatasetRepository.ensure(
        DatasetRecord(
            id: .random(), name: "cohort", sourceKind: .synthetic, sourceURI: "synthetic://\(UUID())",
            testFraction: 0.2,
            splitSeed: 1), on: client)
    let sha = String(repeating: "ab", count: 32)
    let stored = try await CaseRepository.record(
        [
            CaseRecord(
                id: .random(), datasetID: dataset.id, sourceName: "case-a", patientID: "p1",
                state: .ingested(split: .train, imageSHA256: sha, labelSHA256: nil)),
            CaseRecord(
                id: .random(), datasetID: dataset.id, sourceName: "case-b", patientID: "p2",
                state: .ingested(split: .test, imageSHA256: sha, labelSHA256: sha)),
            CaseRecord(
                id: .random(), datasetID: dataset.id, sourceName: "case-c", patientID: "p3",
                state: .failed(reason: "T2 is missing")),
        ], on: client)
    let experiment = UUID()
    _ = try await client.query(
        """
        INSERT INTO experiments (id, name, dataset_id, strategy, restriction, initial_count, candidate_count,
                                 query_count, max_rounds, seed, profile, annotation_mode)
        VALUES (\(experiment), 'margins-run', \(dataset.id), 'margins', 'representative', 1, 2, 1, 3, 1, 'tiny', 'human')
        """)
    _ = try await client.query(
        """
        INSERT INTO rounds (experiment_id, round_index, phase, finished_at, annotated_count, mean_dice, equivalent)
        VALUES (\(experiment), 0, 'finished', now(), 1, 0.5, false)
        """)
    _ = try await client.query(
        "INSERT INTO rounds (experiment_id, round_index, phase) VALUES (\(experiment), 1, 'annotating')")
    _ = try await client.query(
        """
        INSERT INTO experiment_cases (experiment_id, case_id, dataset_id, selected_round, selection_rank)
        VALUES (\(experiment), \(stored[0].id), \(dataset.id), 1, 0)
        """)
    return CaseFixture(
        folder: folder, environment: environment, dataset: dataset.id.uuid, picked: stored[0].id.uuid,
        experiment: experiment)
}
