import Foundation

/// The outcome of one run of an external program.
struct CommandOutcome {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

struct ExternalCommandError: Error, CustomStringConvertible {
    var description: String
}

/// Runs the deployment tools (docker-compose, nats-server) the way an operator would, in the
/// checkout, with exactly the environment given: a developer's own settings must not leak in.
enum ExternalCommand {
    /// The program's path on `PATH`; fails with what to install when it is missing.
    static func locate(_ program: String, package: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(program)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw ExternalCommandError(
            description: """
                \(program) is not on PATH (\(path)). Install the Debian package \(package) \
                (scripts/stack up installs it when run as root; scripts/test runs it).
                """)
    }

    /// Runs `executable` to completion. Output goes to temporary files rather than pipes, so a
    /// long output cannot fill a pipe and stall the program, and no thread blocks on reading it.
    static func run(
        _ executable: URL, _ arguments: [String], in folder: URL,
        environment: [String: String]
    ) async throws -> CommandOutcome {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("deployment-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputURL = scratch.appendingPathComponent("stdout")
        let errorURL = scratch.appendingPathComponent("stderr")
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)
        defer {
            try? output.close()
            try? error.close()
        }

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return CommandOutcome(
            status: status,
            standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
            standardError: try String(contentsOf: errorURL, encoding: .utf8))
    }
}
