import Bus
import CommandLineTools
import Foundation
import Logging
import Proto
import ServiceRuntime
import TestSupport
import Testing

/// `events tail` against the stack's nats-server, each test under a subject prefix of its own (so
/// with a stream of its own).
@Suite(.tags(.stack), .needsLocalStack) struct EventsCommandTests {
    @Test func replayPrintsAnExperimentsEventsInOrder() async throws {
        try await withEventStream { events, environment in
            let experiment = UUID().uuidString.lowercased()
            var started = RoundStarted()
            started.experimentID = experiment
            started.round = 1
            var finished = RoundFinished()
            finished.experimentID = experiment
            finished.round = 1
            finished.annotatedCases = 6
            var otherExperiment = RoundStarted()
            otherExperiment.experimentID = UUID().uuidString.lowercased()
            try await events.publish(started, scope: experiment, id: "e1", source: "/activeseg/test")
            try await events.publish(
                otherExperiment, scope: otherExperiment.experimentID, id: "e2", source: "/activeseg/test")
            try await events.publish(finished, scope: experiment, id: "e3", source: "/activeseg/test")

            let folder = try TemporaryFolder()
            let run = await activeseg(
                ["events", "tail", "--experiment", experiment, "--replay", "--limit", "2", "--json"],
                in: folder.url, environment: environment)
            #expect(run.status == .success, "\(run.errors)")
            let lines = run.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 2)
            let objects = try lines.map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
            }
            #expect(
                objects.map { $0["type"] as? String } == ["activeseg.v1.round.started", "activeseg.v1.round.finished"])
            #expect(objects.map { $0["id"] as? String } == ["e1", "e3"])
            let body = objects.last?["body"] as? [String: Any]
            #expect(body?["annotatedCases"] as? Int == 6)

            let text = await activeseg(
                ["events", "tail", "--experiment", experiment, "--replay", "--limit", "2"],
                in: folder.url, environment: environment)
            let textLines = text.output.split(separator: "\n")
            #expect(textLines.count == 2)
            #expect(textLines.first?.contains("activeseg.v1.round.started") == true)
            #expect(textLines.last?.contains("\"annotatedCases\":6") == true)
        }
    }

    @Test func withoutReplayOnlyNewEventsArePrinted() async throws {
        try await withEventStream { events, environment in
            let experiment = UUID().uuidString.lowercased()
            var old = RoundStarted()
            old.experimentID = experiment
            try await events.publish(old, scope: experiment, id: "old", source: "/activeseg/test")
            let folder = try TemporaryFolder()
            let run = await activeseg(
                ["events", "tail", "--experiment", experiment, "--for", "1", "--json"], in: folder.url,
                environment: environment)
            #expect(run.status == .success, "\(run.errors)")
            #expect(run.output.isEmpty, "the event stored before the tail started is not printed")
        }
    }

    @Test func untilFinishedStopsAtTheExperimentsLastEvent() async throws {
        try await withEventStream { events, environment in
            let experiment = UUID().uuidString.lowercased()
            var started = RoundStarted()
            started.experimentID = experiment
            var finished = ExperimentFinished()
            finished.experimentID = experiment
            finished.state = .finished
            var late = RoundStarted()
            late.experimentID = experiment
            late.round = 9
            try await events.publish(started, scope: experiment, id: "s", source: "/activeseg/test")
            try await events.publish(finished, scope: experiment, id: "f", source: "/activeseg/test")
            try await events.publish(late, scope: experiment, id: "late", source: "/activeseg/test")

            let folder = try TemporaryFolder()
            let run = await activeseg(
                ["events", "tail", "--experiment", experiment, "--replay", "--until-finished", "--json"],
                in: folder.url, environment: environment)
            #expect(run.status == .success, "\(run.errors)")
            let ids = try run.output.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
            }.map { $0["id"] as? String }
            #expect(ids == ["s", "f"], "the event after experiment.finished is not printed")
        }
    }

    @Test func bothScopesAtOnceIsAUsageError() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["events", "tail", "--experiment", "a", "--dataset", "b"], in: folder.url)
        #expect(run.status == .usage)
    }
}

/// An events stream under a fresh subject prefix, and the environment that points the CLI at it.
func withEventStream(_ body: (EventStream, [String: String]) async throws -> Void) async throws {
    var environment = ProcessInfo.processInfo.environment
    let prefix = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
    environment["ACTIVESEG_SUBJECT_PREFIX"] = prefix
    let configuration = try ServiceConfiguration(service: "cli-tests", environment: environment)
    let connection = try await BusConnection.connect(
        configuration.bus, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    let events = EventStream(jetStream: try JetStream(connection: connection), subjectPrefix: prefix)
    var failure: (any Error)?
    do {
        try await events.ensure()
        try await body(events, environment)
    } catch {
        failure = error
    }
    try? await events.jetStream.deleteStream(events.name)
    await connection.close()
    if let failure { throw failure }
}
