import CommandLineTools
import Foundation
import TestSupport
import Testing

/// The experiment and report commands' contract with a user: what they say and which status they
/// end with when a service is missing or the command line is wrong. Runs against the real NATS of
/// the local stack, under a subject prefix no service answers on.
@Suite(.tags(.stack), .needsLocalStack)
struct ExperimentCommandTests {
    static var stackEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["ACTIVESEG_SUBJECT_PREFIX"] = "nobody-\(UUID().uuidString.prefix(8))"
        return environment
    }

    @Test func listWithoutAnOrchestratorIsUnavailableAndSaysWhatToStart() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["experiment", "list"], in: folder.url, environment: Self.stackEnvironment)
        #expect(run.status == .unavailable)
        #expect(run.errors.contains("orchestrator"))
        #expect(run.errors.contains("activeseg stack up"))
    }

    @Test func unreachableNATSIsUnavailable() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(
            ["experiment", "status", UUID().uuidString], in: folder.url,
            environment: ["ACTIVESEG_NATS_URL": "nats://127.0.0.1:1"])
        #expect(run.status.rawValue == 69)
        #expect(run.errors.contains("hint: run `activeseg stack up`"))
    }

    @Test(arguments: [
        ["experiment", "create", "--dataset", "d", "--strategy", "coin-flip"],
        ["experiment", "create", "--dataset", "d", "--strategy", "entropy"],
        ["experiment", "create", "--dataset", "d", "--strategy", "bald"],
        ["experiment", "create", "--dataset", "d", "--strategy", "margins+none"],
        ["experiment", "create", "--dataset", "d", "--strategy", "margins+"],
        ["experiment", "create", "--dataset", "d", "--strategy", "random+representative"],
        ["experiment", "create", "--dataset", "d", "--strategy", "random", "--profile", "huge"],
        ["experiment", "compare", "--dataset", "d", "--all", "--strategy", "random"],
        ["experiment", "compare", "--dataset", "d", "--seed", "-1"],
        ["experiment", "compare", "--dataset", "d", "--repetitions", "0"],
        ["experiment", "compare", "--dataset", "d", "--timeout", "0"],
        ["report", "--out", "r"],
    ])
    func usageErrorsExitWith64(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(arguments, in: folder.url, environment: Self.stackEnvironment)
        #expect(run.status == .usage)
    }

    @Test func compareHelpNamesTheDefaultStrategiesAndTheRestOfTheTable() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["experiment", "compare", "--help"], in: folder.url)
        #expect(run.status == .success)
        for strategy in [
            "random", "dropout-train-test", "bootstrap", "dropout-train-test+representative",
            "dropout-test", "margins", "dropout-train-test+non-similar",
        ] {
            #expect(run.output.contains(strategy))
        }
        #expect(run.output.contains("--repetitions"))
        #expect(run.output.contains("--timeout") && run.output.contains("86400"), "the default timeout is documented")
    }
}
