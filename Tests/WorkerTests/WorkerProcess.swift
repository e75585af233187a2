import Foundation
import Testing

/// A worker executable of the product run as a child process, as a deployment runs it, so that a
/// test can end it the way a crashed machine (SIGKILL) or a stopping container (SIGTERM) does.
struct WorkerProcess {
    let name: String
    private let process: Process
    private let exits: AsyncStream<Void>

    /// The built executable `name`, beside the test bundle in the build folder.
    static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Runs the executable `name` in `environment` to its exit, for a process that must refuse to
    /// start: whether it exited with failure, and what it wrote to standard error.
    static func refusal(_ name: String, environment: [String: String]) throws -> (failed: Bool, message: String) {
        let process = Process()
        process.executableURL = executable(name)
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationReason == .exit && process.terminationStatus == EXIT_FAILURE, message)
    }

    /// Starts the executable `name` in `environment` and runs `body` with it; a process still running
    /// when `body` ends (a failing test) is killed, so it cannot go on taking jobs.
    static func with<Value>(
        _ name: String, environment: [String: String], _ body: (WorkerProcess) async throws -> Value
    ) async throws -> Value {
        let url = executable(name)
        try #require(
            FileManager.default.isExecutableFile(atPath: url.path),
            "build \(name) first (swift build --build-tests builds it)")
        let (exits, exited) = AsyncStream.makeStream(of: Void.self)
        let process = Process()
        process.executableURL = url
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.terminationHandler = { _ in
            exited.yield()
            exited.finish()
        }
        try process.run()
        let worker = WorkerProcess(name: name, process: process, exits: exits)
        do {
            let value = try await body(worker)
            worker.killIfRunning()
            return value
        } catch {
            worker.killIfRunning()
            throw error
        }
    }

    /// Sends `signal` and waits until the process has ended; returns how it ended.
    func end(with signal: Int32) async throws -> (reason: Process.TerminationReason, status: Int32) {
        kill(process.processIdentifier, signal)
        let exits = self.exits
        try await within("\(name) to exit") { for await _ in exits {} }
        return (process.terminationReason, process.terminationStatus)
    }

    private func killIfRunning() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
