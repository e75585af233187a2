import Bus
import Foundation
import Logging
import TestSupport
import Testing

@testable import CommandLineTools

/// Unreachable servers end a command with EX_UNAVAILABLE (69), whichever library noticed.
@Suite struct ExitStatusTests {
    @Test func anUnreachableNATSServerIsUnavailable() async throws {
        let port = try LoopbackSocket.freePort()
        let error = await #expect(throws: BusError.self) {
            _ = try await BusConnection.connect(
                BusConfiguration(servers: ["nats://127.0.0.1:\(port)"]),
                logger: Logger(label: "test"))
        }
        let failure = try #require(error)
        #expect(ExitStatus(for: failure) == .unavailable)
        #expect(ErrorReport(failure).text.contains("hint: is the stack up?"))
    }

    @Test func aMalformedMessageIsFailedWorkNotAnOutage() throws {
        #expect(ExitStatus(for: BusError(code: .malformedMessage, subject: "s", detail: "d")) == .failure)
    }

    @Test func eachFailureKindHasItsOwnCode() {
        let codes: [CommandLineError.Code] = [.usage, .dataError, .unavailable, .failed]
        #expect(codes.map(\.exitStatus.rawValue) == [64, 65, 69, 1])
    }

    /// The usage errors the parser finds, each kind in a command group and in a leaf command: an
    /// unknown subcommand, a missing option or argument, an option without its value, and a value
    /// of the wrong type or outside its choices.
    @Test(arguments: [
        ["experiment", "frobnicate"],
        ["model", "frobnicate"],
        ["events", "tail", "--experiment"],
        ["model", "init", "--profile", "tiny", "--out", "m.safetensors"],
        ["model", "predict", "a.nii.gz", "b.nii.gz", "--out-prob", "p.nii.gz", "--out-label", "l.nii.gz"],
        [
            "model", "predict", "--checkpoint", "m.safetensors", "--model-id", "0b3c3d1e-8f5e-4f43-9c56-8d9f0b0c7a11",
            "a.nii.gz", "b.nii.gz", "--out-prob", "p.nii.gz", "--out-label", "l.nii.gz",
        ],
        [
            "model", "predict", "--model-id", "model-7", "a.nii.gz", "b.nii.gz", "--out-prob", "p.nii.gz",
            "--out-label", "l.nii.gz",
        ],
        [
            "model", "predict", "--checkpoint", "m.safetensors", "a.nii.gz", "b.nii.gz", "--out-prob", "p.nii.gz",
            "--out-label", "l.nii.gz", "--mc", "3", "--mirror",
        ],
        ["synth", "--cases", "many", "--seed", "1", "--out", "c"],
        ["ingest", "--brats", "cohort", "--test-share", "1.5"],
        ["ping", "gateway"],
        ["ping", "trainer", "--timeout", "0"],
        ["events", "tail", "--until-finished"],
    ])
    func usageErrorsExitWith64(_ arguments: [String]) async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(arguments, in: folder.url)
        #expect(run.status == .usage, "\(run.errors)")
        #expect(run.errors.contains("Usage: activeseg"), "\(run.errors)")
        #expect(run.output.isEmpty)
    }

    /// The built executable ends its process with the documented codes, not only the in-process
    /// entry point: 64 for the command line, 65 for the data, 69 for a service, 0 for help.
    @Test(
        arguments: [
            (["frobnicate"], 64),
            (["synth", "--cases", "1", "--out", "c"], 64),
            (["volume", "info", "missing.nii.gz"], 65),
            (["--help"], 0),
        ] as [([String], Int32)])
    func theExecutableExitsWithTheDocumentedCode(_ arguments: [String], status: Int32) async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: ServiceProcesses.executable("activeseg").path),
            "build activeseg first (swift build --build-tests builds it)")
        let folder = try TemporaryFolder()
        #expect(try await Self.exitStatus(of: arguments, in: folder.url) == status)
    }

    @Test func theExecutableExitsWith69WhenNATSIsUnreachable() async throws {
        let folder = try TemporaryFolder()
        let port = try LoopbackSocket.freePort()
        #expect(
            try await Self.exitStatus(
                of: ["ping", "orchestrator", "--timeout", "1"], in: folder.url,
                environment: ["ACTIVESEG_NATS_URL": "nats://127.0.0.1:\(port)"]) == 69)
    }

    /// Runs the built `activeseg` in `folder` and returns its exit status.
    static func exitStatus(
        of arguments: [String], in folder: URL, environment: [String: String] = [:]
    ) async throws -> Int32 {
        let child = Process()
        child.executableURL = ServiceProcesses.executable("activeseg")
        child.arguments = arguments
        child.currentDirectoryURL = folder
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            child.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try child.run()
            } catch {
                child.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }
}
