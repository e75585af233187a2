import CommandLineTools
import Foundation
import Synchronization

/// What one in-process run of `activeseg` produced.
struct CommandLineRun {
    var status: ExitStatus
    var output: String
    var errors: String

    /// Text a command wrote.
    private final class Captured: OutputSink {
        private let text = Mutex("")
        func write(_ text: String) { self.text.withLock { $0 += text } }
        var contents: String { text.withLock { $0 } }
    }

    /// Runs `activeseg` in `folder` against `deployment`'s services (its subject prefix) and
    /// database (its schema).
    static func activeseg(_ arguments: [String], deployment: Deployment, folder: URL) async -> CommandLineRun {
        var environment = ProcessInfo.processInfo.environment
        environment["ACTIVESEG_SUBJECT_PREFIX"] = deployment.prefix
        environment["ACTIVESEG_POSTGRES_SCHEMA"] = deployment.database.configuration.schema
        let output = Captured()
        let errors = Captured()
        let status = await CommandLineTool.run(
            arguments,
            context: CommandContext(
                output: output, errors: errors, environment: environment, workingDirectory: folder))
        return CommandLineRun(status: status, output: output.contents, errors: errors.contents)
    }
}
