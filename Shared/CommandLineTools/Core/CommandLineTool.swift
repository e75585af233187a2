import ArgumentParser

/// Runs `activeseg` with the given arguments: parses them, runs the command and turns every
/// failure into a message on the error stream and an `ExitStatus`.
///
/// The executable is a thin wrapper around this, and tests call it directly, so what a test sees is
/// what a person at the terminal sees.
public enum CommandLineTool {
    public static func run(_ arguments: [String], context: CommandContext) async -> ExitStatus {
        var command: any ParsableCommand
        do {
            command = try ActiveSeg.parseAsRoot(arguments)
        } catch {
            return reportParserMessage(for: error, context: context)
        }
        guard let contextual = command as? any ContextualCommand else {
            // A command group named without a subcommand shows its help, and the parser's own
            // commands (shell completion) print what they print.
            do {
                try command.run()
                return .success
            } catch {
                return reportParserMessage(for: error, context: context)
            }
        }
        do {
            try await contextual.run(in: context)
            return .success
        } catch {
            context.errors.write(ErrorReport(error).text)
            return ExitStatus(for: error)
        }
    }

    /// Help, version and usage errors, worded by the argument parser.
    private static func reportParserMessage(for error: any Error, context: CommandContext) -> ExitStatus {
        let message = ActiveSeg.fullMessage(for: error)
        let code = ActiveSeg.exitCode(for: error)
        if code.isSuccess {
            context.output.write(message.isEmpty ? "" : message + "\n")
            return .success
        }
        context.errors.write(message + "\n")
        return ExitStatus(rawValue: code.rawValue)
    }
}
