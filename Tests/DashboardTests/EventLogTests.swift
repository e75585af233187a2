import Foundation
import Proto
import Testing

@testable import DashboardService

/// The event log's memory stays bounded while it still answers what the pages ask of it.
@Suite struct EventLogTests {
    static func epoch(
        _ sequence: UInt64, experiment: String = "e1", repetition: UInt32 = 0, round: UInt32
    )
        -> DashboardEvent
    {
        DashboardEvent(
            sequence: sequence, experimentID: experiment, time: Date(),
            body: .training(
                .with {
                    $0.jobID = "job-\(repetition)-\(round)"
                    $0.experimentID = experiment
                    $0.repetition = repetition
                    $0.round = round
                    $0.epoch = UInt32(sequence)
                }))
    }

    static func phase(_ sequence: UInt64, experiment: String = "e1", round: UInt32) -> DashboardEvent {
        DashboardEvent(
            sequence: sequence, experimentID: experiment, time: Date(),
            body: .phaseChanged(
                .with {
                    $0.round = round
                    $0.phase = .training
                }))
    }

    @Test func onlyTheNewestTrainingRoundOfEachRepetitionKeepsItsEpochs() async {
        let log = EventLog()
        await log.append(Self.phase(1, round: 1))
        for sequence in 2...4 { await log.append(Self.epoch(UInt64(sequence), round: 1)) }
        await log.append(Self.epoch(5, repetition: 1, round: 1))
        await log.append(Self.epoch(6, experiment: "e2", round: 1))
        await log.append(Self.phase(7, round: 2))
        await log.append(Self.epoch(8, round: 2))
        // A late epoch of the round already superseded is not kept.
        await log.append(Self.epoch(9, round: 1))

        let kept = await log.events(of: "e1").map(\.sequence)
        #expect(kept == [1, 5, 7, 8], "round 1's epochs of repetition 0 went; repetition 1's and the phases stay")
        #expect(await log.events(of: "e2").map(\.sequence) == [6])
        let activity = ExperimentActivity(await log.events(of: "e1"))
        #expect(activity.trainingRound?.round == 2)
        #expect(await log.lastSequence(of: "e1") == 8)
    }

    @Test func pastTheLimitTheOldestEventsGoInBatches() async {
        let log = EventLog(limit: 10)
        for sequence in 1...25 { await log.append(Self.phase(UInt64(sequence), round: UInt32(sequence))) }
        let held = await log.count
        #expect((9...10).contains(held), "held \(held)")
        #expect(await log.lastSequence(of: nil) == 25)
        let sequences = await log.events(of: "e1").map(\.sequence)
        #expect(sequences == Array(UInt64(26 - held)...25), "the newest are kept, in order")
    }

    @Test func aSubscriberStillGetsEveryNewEventAfterTheOldestWereDropped() async {
        let log = EventLog(limit: 3)
        for sequence in 1...5 { await log.append(Self.phase(UInt64(sequence), round: 1)) }
        let stream = await log.subscribe(experiment: "e1", after: 0)
        await log.append(Self.phase(6, round: 1))
        await log.close()
        var received: [UInt64] = []
        for await event in stream { received.append(event.sequence) }
        #expect(received.last == 6)
        #expect(!received.contains(1), "a dropped event is not replayed")
    }
}
