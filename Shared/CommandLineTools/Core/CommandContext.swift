import Foundation

/// What a command reads from and writes to besides its arguments. The executable passes the
/// process's own; tests pass buffers and a chosen environment, so commands run in-process.
public struct CommandContext: Sendable {
    /// Results: the human-readable report or the JSON document.
    public var output: any OutputSink
    /// Progress, warnings and errors.
    public var errors: any OutputSink
    /// Whether `errors` is a terminal, where progress is drawn; elsewhere commands stay quiet.
    public var errorsIsTerminal: Bool
    public var environment: [String: String]
    /// The folder relative paths are resolved against.
    public var workingDirectory: URL
    /// The running executable, used to find the checkout it was built in.
    public var executable: URL?

    public init(
        output: any OutputSink, errors: any OutputSink, errorsIsTerminal: Bool = false,
        environment: [String: String] = [:], workingDirectory: URL, executable: URL? = nil
    ) {
        self.output = output
        self.errors = errors
        self.errorsIsTerminal = errorsIsTerminal
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.executable = executable
    }

    /// The process's streams, environment, working directory and executable.
    public static func process() -> CommandContext {
        CommandContext(
            output: StandardStream.output, errors: StandardStream.error, errorsIsTerminal: isatty(STDERR_FILENO) == 1,
            environment: ProcessInfo.processInfo.environment,
            workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true),
            executable: Bundle.main.executableURL)
    }

    /// A path from the command line, relative to the working directory unless absolute.
    public func url(for path: String) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/")
            ? URL(fileURLWithPath: expanded)
            : workingDirectory.appendingPathComponent(expanded)
    }
}
