import Foundation
import Testing

/// A trainer or scorer started without `ACTIVESEG_POSTGRES_DSN` stops at once naming the key: the
/// database is read by one type with one rule for every process, instead of a worker guessing a
/// local server the orchestrator would refuse to assume.
@Suite struct MissingDatabaseSettingTests {
    @Test(arguments: ["activeseg-trainer", "activeseg-scorer"])
    func aWorkerWithoutADatabaseStopsAtStart(executable: String) throws {
        let url = WorkerProcess.executable(executable)
        try #require(FileManager.default.isExecutableFile(atPath: url.path), "build \(executable) first")
        let process = Process()
        process.executableURL = url
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == EXIT_FAILURE)
        #expect(message.contains("ACTIVESEG_POSTGRES_DSN is not set"), "\(message)")
    }
}
