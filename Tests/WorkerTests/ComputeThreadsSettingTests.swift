import Foundation
import Testing

/// A trainer or scorer started with an `ACTIVESEG_COMPUTE_THREADS` it cannot use stops at once with
/// an error naming the key, before it connects anywhere, instead of running on every core (a value
/// that does not parse) or starting thousands of threads per kernel (a slip of the keyboard).
@Suite struct ComputeThreadsSettingTests {
    @Test(arguments: ["activeseg-trainer", "activeseg-scorer"], ["0", "lots", "100000"])
    func anUnusableThreadCountStopsTheWorkerAtStart(executable: String, value: String) throws {
        let url = WorkerProcess.executable(executable)
        try #require(FileManager.default.isExecutableFile(atPath: url.path), "build \(executable) first")
        let (failed, message) = try WorkerProcess.refusal(
            executable,
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                // A database is required too; the process must stop before it would connect to it.
                "ACTIVESEG_POSTGRES_DSN": "postgresql://activeseg@127.0.0.1:1/unused",
                "ACTIVESEG_COMPUTE_THREADS": value,
            ])
        #expect(failed)
        #expect(message.contains("ACTIVESEG_COMPUTE_THREADS") && message.contains("'\(value)'"), "\(message)")
    }
}
