import ArgumentParser
import Bus
import Foundation
import Proto
import ServiceRuntime

/// `activeseg events tail`: prints events from the JetStream events stream as they are stored,
/// or from the stream's start with `--replay`, one line each.
///
/// It reads through a durable consumer of its own, filtered to the experiment's or dataset's
/// subjects, and deletes that consumer when it stops; a process killed by a signal leaves it on the
/// server (`nats consumer rm` removes it). The Bus library's consumers always start at the stream's
/// first event, so without `--replay` the events stored before the tail started are read and
/// skipped by their stream sequence.
struct EventsTailCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print events as they arrive, or replay them from the start.",
        discussion: """
            One line per event: time, CloudEvents type, subject and the body in protobuf JSON; with \
            --json one JSON object per line. Without --limit, --for or --until-finished it runs until \
            interrupted.
            """)

    @Option(help: "Only the events of this experiment.")
    var experiment: String?

    @Option(help: "Only the events of this dataset (imports).")
    var dataset: String?

    @Flag(help: "Start from the first stored event instead of the next new one.")
    var replay = false

    @Option(help: "Stop after this many events.")
    var limit: Int?

    @Option(name: .customLong("for"), help: "Stop after this many seconds.")
    var seconds: Double?

    @Flag(help: "Stop after the experiment's experiment.finished event (with --experiment).")
    var untilFinished = false

    @Flag(help: "Print each event as a JSON object on its own line.")
    var json = false

    func validate() throws {
        if experiment != nil, dataset != nil { throw ValidationError("give --experiment or --dataset, not both") }
        for scope in [experiment, dataset].compactMap({ $0 }) {
            do { _ = try EventSubject.all(scope: scope) } catch {
                throw ValidationError("\(scope) is not an id: \(error)")
            }
        }
        if untilFinished, experiment == nil { throw ValidationError("--until-finished needs --experiment") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let seconds, !(seconds > 0) { throw ValidationError("--for must be a positive number of seconds") }
    }

    func run(in context: CommandContext) async throws {
        try await BusSession.withConnection(context) { connection, configuration in
            try await tail(
                EventStream(
                    jetStream: try JetStream(connection: connection), subjectPrefix: configuration.subjectPrefix),
                context: context)
        }
    }

    private func tail(_ events: EventStream, context: CommandContext) async throws {
        let jetStream = events.jetStream
        let start: UInt64
        do {
            start = try await jetStream.streamState(events.name).lastSequence
        } catch let error as BusError where ExitStatus(for: error) != .unavailable {
            throw CommandLineError(
                .unavailable, subject: "events", detail: "the stream \(events.name) does not answer: \(error)",
                hint: "it is created when a service starts: start the services, or check ACTIVESEG_SUBJECT_PREFIX")
        }
        let scope = experiment ?? dataset
        // The stream's own filter ends in `events.>`; one scope's events are `events.<scope>.>`.
        let filter = scope.map { String(events.subjects.dropLast()) + $0 + ".>" } ?? events.subjects
        let durable = "activeseg_cli_tail_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await jetStream.ensureConsumer(
            stream: events.name, ConsumerConfiguration(durableName: durable, filterSubject: filter))
        do {
            try await follow(
                try await jetStream.pullConsumer(stream: events.name, durableName: durable), after: replay ? 0 : start,
                context: context)
            try await jetStream.deleteConsumer(stream: events.name, durableName: durable)
        } catch {
            try? await jetStream.deleteConsumer(stream: events.name, durableName: durable)
            throw error
        }
    }

    private static let experimentFinished = "activeseg.v1.\(EventKind.experimentFinished.rawValue)"

    /// Prints the consumer's events stored after sequence `first` until the limit or the time is up.
    private func follow(_ consumer: PullConsumer, after first: UInt64, context: CommandContext) async throws {
        let deadline = seconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        var printed = 0
        while limit.map({ printed < $0 }) ?? true {
            let wait: Duration
            if let deadline {
                // A pull request needs a timeout of at least a millisecond; a sliver of time left
                // is not worth another round trip.
                let left = deadline - ContinuousClock.now
                guard left >= .milliseconds(100) else { return }
                wait = min(left, .seconds(1))
            } else {
                wait = .seconds(1)
            }
            for message in try await consumer.fetch(
                maxMessages: limit.map { min(64, $0 - printed) } ?? 64, timeout: wait)
            {
                try await message.ack()
                guard message.streamSequence > first else { continue }
                let line = try EventLine(message)
                context.output.write(json ? try line.json() : line.text)
                printed += 1
                if untilFinished, line.type == Self.experimentFinished { return }
            }
        }
    }
}
