import Foundation
import Proto
import Testing

@testable import DashboardService

/// The event-stream framing and where a reconnecting browser resumes.
@Suite struct ServerSentEventTests {
    @Test func anEventIsItsIdTypeAndOneDataLinePerLine() {
        let event = ServerSentEvent(id: 42, event: "round.finished", data: "first\nsecond\r\nthird")
        #expect(event.text == "id: 42\nevent: round.finished\ndata: first\ndata: second\ndata: third\n\n")
        #expect(ServerSentEvent(id: nil, event: nil, data: "").text == "data: \n\n")
    }

    @Test func aKeepAliveIsACommentAndRetryAField() {
        #expect(ServerSentEvent.keepAlive.hasPrefix(":") && ServerSentEvent.keepAlive.hasSuffix("\n\n"))
        #expect(ServerSentEvent.retry(milliseconds: 2000) == "retry: 2000\n\n")
    }

    @Test func lastEventIDWinsOverThePagesStartingPoint() {
        #expect(LiveStream.resumePoint(lastEventID: "17", after: "5") == 17)
        #expect(LiveStream.resumePoint(lastEventID: nil, after: "5") == 5)
        #expect(LiveStream.resumePoint(lastEventID: "junk", after: nil) == 0)
    }

    @Test func aDashboardEventIsSentWithItsStreamSequenceAsId() {
        let event = DashboardEvent(
            sequence: 9, experimentID: "e1", time: Date(),
            body: .training(.with { $0.experimentID = "e1" }))
        #expect(event.serverSent.id == 9)
        #expect(event.serverSent.data == #"{"kind":"round.training","experiment":"e1"}"#)
    }

    @Test func aSubscriberGetsTheEventsAfterItsPointThenNewOnesOfItsExperiment() async {
        let log = EventLog()
        for (sequence, experiment) in [(1, "a"), (2, "b"), (3, "a")] {
            await log.append(
                DashboardEvent(
                    sequence: UInt64(sequence), experimentID: experiment, time: Date(),
                    body: .roundStarted(.with { $0.experimentID = experiment })))
        }
        let stream = await log.subscribe(experiment: "a", after: 1)
        await log.append(
            DashboardEvent(sequence: 4, experimentID: "b", time: Date(), body: .roundStarted(RoundStarted())))
        await log.append(
            DashboardEvent(sequence: 5, experimentID: "a", time: Date(), body: .roundStarted(RoundStarted())))
        await log.close()
        var seen: [UInt64] = []
        for await event in stream { seen.append(event.sequence) }
        #expect(seen == [3, 5])
        #expect(await log.lastSequence(of: "b") == 4)
    }
}
