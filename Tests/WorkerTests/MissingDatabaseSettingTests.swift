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
        let (failed, message) = try WorkerProcess.refusal(
            executable, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(failed)
        #expect(message.contains("ACTIVESEG_POSTGRES_DSN is not set"), "\(message)")
    }
}
