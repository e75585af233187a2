import CommandLineTools
import Foundation
import TestSupport
import Testing

@Suite struct StackAndRootCommandTests {
    @Test func stackStatusOfAStackThatIsNotRunningIsUnavailable() async throws {
        let state = try TemporaryFolder()
        let run = await activeseg(
            ["stack", "status"], in: checkoutRoot,
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "ACTIVESEG_STACK_DIR": state.url.path,
            ])
        #expect(run.status == .unavailable)
        #expect(run.status.rawValue == 69)
        #expect(run.output.contains("nats: stopped"))
        #expect(run.output.contains("postgres: stopped"))
        #expect(run.errors.contains("hint: start it with `activeseg stack up`"))
    }

    @Test func stackIsFoundFromTheExecutableWhenTheFolderIsElsewhere() async throws {
        let elsewhere = try TemporaryFolder()
        let state = try TemporaryFolder()
        let executable = checkoutRoot.appendingPathComponent(".build/debug/activeseg")
        let run = await activeseg(
            ["stack", "status"], in: elsewhere.url,
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "ACTIVESEG_STACK_DIR": state.url.path,
            ], executable: executable)
        #expect(run.status == .unavailable)
        #expect(run.output.contains("nats: stopped"))
    }

    @Test func stackOutsideACheckoutSaysWhereToRunIt() async throws {
        let elsewhere = try TemporaryFolder()
        let run = await activeseg(["stack", "up"], in: elsewhere.url)
        #expect(run.status == .failure)
        #expect(run.errors.contains("cannot find scripts/stack"))
        #expect(run.errors.contains("hint: run activeseg from inside the ActiveSeg checkout"))
    }

    @Test func helpGoesToTheOutputAndSucceeds() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["--help"], in: folder.url)
        #expect(run.status == .success)
        for command in ["stack", "synth", "volume", "stats"] { #expect(run.output.contains(command)) }
        #expect(run.output.contains("64 usage error"))
        #expect(run.errors.isEmpty)
    }

    @Test func helpForASubcommandDescribesItsOptions() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["help", "volume", "convert"], in: folder.url)
        #expect(run.status == .success)
        for option in ["--orient", "--spacing", "--interp", "bspline", "nearest"] {
            #expect(run.output.contains(option))
        }
    }

    @Test(arguments: [["frobnicate"], ["stack", "sideways"], ["synth", "--bogus"]])
    func unknownCommandsAndOptionsAreUsageErrors(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(arguments, in: folder.url)
        #expect(run.status == .usage)
        #expect(run.errors.contains("Usage: activeseg"))
        #expect(run.output.isEmpty)
    }
}
