import ArgumentParser

/// A command that does its work against a `CommandContext` instead of the process's globals, so
/// that tests run it in-process with captured output.
public protocol ContextualCommand: ParsableCommand {
    func run(in context: CommandContext) async throws
}
