import ArgumentParser
import Foundation

/// `activeseg stack up|down|status`: the local nats-server and PostgreSQL, through the checkout's
/// `scripts/stack`, which keeps the stack's state in `.stack/` of that checkout.
struct StackCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack",
        abstract: "Start, stop or inspect the local NATS and PostgreSQL stack.",
        discussion: "Runs scripts/stack of the ActiveSeg checkout that holds the current folder or this executable.")

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case up, down, status
    }

    @Argument(help: "up, down or status.")
    var action: Action

    func run(in context: CommandContext) async throws {
        let script = try StackScript.locate(in: context)
        let status = try await script.run(action.rawValue, context: context)
        guard status == 0 else {
            if action == .status {
                throw CommandLineError(
                    .unavailable, subject: "stack", detail: "not everything is running",
                    hint: "start it with `activeseg stack up`")
            }
            throw CommandLineError(
                .failed, subject: "stack \(action.rawValue)",
                detail: "\(script.url.path) exited with status \(status)",
                hint: "its messages above say why")
        }
    }
}
