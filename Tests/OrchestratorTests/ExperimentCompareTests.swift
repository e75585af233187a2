import CommandLineTools
import Domain
import Foundation
import Proto
import ServiceRuntime
import Store
import TestSupport
import Testing

/// `activeseg experiment compare` against a real orchestrator on the stack: repetitions become one
/// experiment per strategy and seed, the Compare rpc averages them per strategy, and a comparison
/// that cannot finish gives up after `--timeout` and names what is still running.
@Suite(.serialized, .tags(.stack), .needsLocalStack)
struct ExperimentCompareTests {
    static func compare(_ dataset: DatasetID, _ extra: [String]) -> [String] {
        [
            "experiment", "compare", "--dataset", dataset.wireForm, "--profile", "tiny",
            "--strategy", "random", "--strategy", "margins", "--initial", "4", "--pick", "2", "--top-k", "3",
            "--rounds", "1", "--seed", "21", "--poll", "0.2",
        ] + extra
    }

    /// Returns once the orchestrator leads, so the command's first call finds it serving.
    static func waitForLeader(_ deployment: Deployment) async throws {
        let client = try await deployment.client()
        try await within(Deployment.timeout, "the orchestrator to lead") {
            while (try? await client.call(OrchestratorRPC.list, ListExperimentsRequest(), timeout: .seconds(2))) == nil
            {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        await client.connection.close()
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "activeseg-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func repetitionsRunEachStrategyWithEverySeedAndAverageOverThem() async throws {
        try await Deployment.with { deployment in
            let database = deployment.database.client
            let cohort = try await CohortFixture.store(train: 10, test: 4, on: database)
            var groups = try await deployment.selectorAndStats()
            groups.append(try await deployment.workers(datasetID: cohort.dataset.id))
            groups.append(try await deployment.orchestrator("orch-a"))
            try await Self.waitForLeader(deployment)
            let folder = try Self.folder()
            defer { try? FileManager.default.removeItem(at: folder) }

            let run = await CommandLineRun.activeseg(
                Self.compare(
                    cohort.dataset.id,
                    [
                        "--repetitions", "2", "--json",
                        "--ids-out", "ids.txt",
                    ]),
                deployment: deployment, folder: folder)
            #expect(run.status == .success, "\(run.errors)")
            let comparison = try ExperimentComparison(jsonString: run.output)
            let ids = try String(contentsOf: folder.appendingPathComponent("ids.txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            #expect(ids.count == 4, "two strategies, two repetitions")

            // One row per repetition: repetition r runs seed 21 + r, the same for both strategies.
            var experiments: [ExperimentRecord] = []
            for id in ids {
                experiments.append(
                    try #require(try await ExperimentRepository.experiment(ExperimentID(wireForm: id)!, on: database)))
            }
            #expect(experiments.map(\.design.strategy) == [.random, .margins, .random, .margins])
            #expect(experiments.map(\.repetition) == [0, 0, 1, 1])
            #expect(experiments.map(\.design.seed) == [21, 21, 22, 22])
            #expect(experiments.allSatisfy { $0.status == .finished })
            var initialSets: [Set<CaseID>] = []
            for experiment in experiments {
                initialSets.append(
                    Set(
                        try await ExperimentCaseRepository.selections(of: experiment.id, on: database)
                            .filter { $0.selectedRound == 0 }.map(\.caseID)))
            }
            #expect(
                initialSets[0] == initialSets[1] && initialSets[2] == initialSets[3],
                "a repetition's strategies share its initial set")
            #expect(initialSets[0] != initialSets[2], "repetitions draw their own initial sets")

            // The table averages each strategy's repetitions, as computed here from the rows.
            func share(_ experiment: ExperimentRecord) async throws -> Double? {
                guard let first = experiment.firstEquivalentRound else { return nil }
                let rounds = try await RoundRepository.rounds(of: experiment.id, on: database)
                return Double(rounds.first { $0.index == first }!.outcome!.annotatedCount) / 10
            }
            var shares: [Double?] = []
            for experiment in experiments { shares.append(try await share(experiment)) }
            func mean(_ values: [Double?]) -> Double? {
                let reached = values.compactMap { $0 }
                return reached.isEmpty ? nil : reached.reduce(0, +) / Double(reached.count)
            }
            let random = mean([shares[0], shares[2]]), margins = mean([shares[1], shares[3]])
            #expect(comparison.outcomes.map(\.strategy) == [.random, .margins])
            #expect(comparison.outcomes.map(\.experimentID) == [ids[0], ids[1]])
            #expect(comparison.outcomes.map(\.repetitions) == [2, 2])
            #expect(
                comparison.outcomes.map(\.equivalentRepetitions)
                    == [[shares[0], shares[2]], [shares[1], shares[3]]].map { UInt32($0.compactMap { $0 }.count) })
            #expect(abs(comparison.outcomes[0].share - (random ?? 0)) < 1e-9)
            #expect(abs(comparison.outcomes[1].share - (margins ?? 0)) < 1e-9)
            if let random, let margins {
                #expect(abs(comparison.outcomes[1].shareOfBaseline - margins / random) < 1e-9)
            }
            for group in groups.reversed() { try await group.stop() }
        }
    }

    @Test func aStalledComparisonGivesUpAfterItsTimeoutNamingWhatStillRuns() async throws {
        try await Deployment.with { deployment in
            let cohort = try await CohortFixture.store(train: 10, test: 4, on: deployment.database.client)
            // No trainer runs, so round 0 never finishes training.
            let orchestrator = try await deployment.orchestrator("orch-a")
            try await Self.waitForLeader(deployment)
            let folder = try Self.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let run = await CommandLineRun.activeseg(
                Self.compare(cohort.dataset.id, ["--timeout", "1", "--ids-out", "ids.txt"]),
                deployment: deployment, folder: folder)
            #expect(run.status == .failure, "\(run.errors)")
            #expect(run.errors.contains("2 of 2 experiments did not finish within 1 s"), "\(run.errors)")
            let ids = try String(contentsOf: folder.appendingPathComponent("ids.txt"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            #expect(run.errors.contains("random repetition 1 (\(ids[0]))"))
            #expect(run.errors.contains("margins repetition 1 (\(ids[1]))"))
            #expect(run.errors.contains("--timeout"))
            #expect(run.output.isEmpty, "no table for an unfinished comparison")
            try await orchestrator.stop()
        }
    }
}
