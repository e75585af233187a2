import Bus
import Foundation
import TestSupport
import Testing

@Suite("Core NATS publish, subscribe and request/reply", .tags(.stack), .needsLocalStack)
struct CoreNATSTests {
    @Test func publishedMessageArrivesWithItsHeaders() async throws {
        let subscriber = try await BusTestSupport.connect("subscriber")
        let publisher = try await BusTestSupport.connect("publisher")
        let subject = BusTestSupport.unique("roundtrip")
        let subscription = try await subscriber.subscribe(to: subject)
        try await subscriber.flush()

        var headers = BusHeaders()
        headers["x-case-id"] = "case-0001"
        headers.add("first", for: "x-repeated")
        headers.add("second", for: "x-repeated")
        try await publisher.publish(Data("volume ready".utf8), to: subject, headers: headers)
        try await publisher.flush()

        let received = try await subscription.first()
        #expect(received.subject == subject)
        #expect(received.payload == Data("volume ready".utf8))
        #expect(received.headers["x-case-id"] == "case-0001")
        #expect(received.headers.values(for: "x-repeated") == ["first", "second"])
        #expect(received.replySubject == nil)
    }

    @Test func unsubscribingEndsTheSequenceAfterMessagesAlreadyReceived() async throws {
        let connection = try await BusTestSupport.connect("unsubscriber")
        let subject = BusTestSupport.unique("short.lived")
        let subscription = try await connection.subscribe(to: subject)
        try await connection.flush()
        try await connection.publish(Data("only".utf8), to: subject)
        try await connection.flush()
        #expect(try await subscription.first().payload == Data("only".utf8))

        subscription.unsubscribe()
        try await connection.publish(Data("after unsubscribe".utf8), to: subject)
        try await connection.flush()
        let rest = try await within(.seconds(10), "the end of the subscription") {
            await subscription.reduce(into: [BusMessage]()) { $0.append($1) }
        }
        #expect(rest.isEmpty)
    }

    @Test func drainingKeepsEveryMessageSentBeforeItThenEndsTheSequence() async throws {
        let subscriber = try await BusTestSupport.connect("drained-subscriber")
        let publisher = try await BusTestSupport.connect("drain-publisher")
        let subject = BusTestSupport.unique("drained")
        let subscription = try await subscriber.subscribe(to: subject)
        try await subscriber.flush()
        for index in 0..<1000 {
            try await publisher.publish(Data(String(index).utf8), to: subject)
        }
        try await publisher.flush()

        try await subscription.drain()
        try await publisher.publish(Data("after the drain".utf8), to: subject)
        try await publisher.flush()
        let received = try await within(.seconds(10), "the end of the drained subscription") {
            await subscription.reduce(into: [String]()) { $0.append(String(decoding: $1.payload, as: UTF8.self)) }
        }
        #expect(received == (0..<1000).map(String.init))
        // Nothing is left to drain the second time.
        try await subscription.drain()
    }

    /// A subscriber that reads nothing holds at most its pending limits (and the one message on its
    /// way to the sequence, and the one it was handed); libnats drops and counts the rest. Which of
    /// the later messages are dropped depends on when the delivery thread frees a slot (a run kept
    /// 0–4 and 6), so the test asserts the first `limits.messages`, the order and the count.
    @Test func aSubscriberThatFallsBehindHoldsAtMostItsPendingLimits() async throws {
        let subscriber = try await BusTestSupport.connect("behind-subscriber")
        let publisher = try await BusTestSupport.connect("flooding-publisher")
        let subject = BusTestSupport.unique("flooded")
        let limits = PendingLimits(messages: 4, bytes: 1 << 20)
        let subscription = try await subscriber.subscribe(to: subject, pendingLimits: limits)
        #expect(subscription.pendingLimits == limits)
        try await subscriber.flush()
        for index in 0..<20 {
            try await publisher.publish(Data(String(index).utf8), to: subject)
        }
        try await publisher.flush()
        // The subscriber's PONG comes after every message routed to it: each is queued or dropped.
        try await subscriber.flush()
        // Counted while the subscription is open: libnats answers no count for a closed one.
        let dropped = subscription.droppedMessages

        try await subscription.drain()
        let received = try await within(.seconds(10), "the held messages") {
            await subscription.reduce(into: [Int]()) { $0.append(Int(String(decoding: $1.payload, as: UTF8.self))!) }
        }
        #expect(received.count <= limits.messages + 2 && received.count >= limits.messages, "\(received)")
        #expect(Array(received.prefix(limits.messages)) == Array(0..<limits.messages), "the oldest are kept")
        #expect(received == received.sorted() && Set(received).count == received.count, "in order, once each")
        #expect(dropped == 20 - received.count)
    }

    /// The local stack's server takes messages of a few megabytes, as the compose deployment's does
    /// (`max_payload: 8MB` in both), not only its default 1 MB.
    @Test func aPayloadOfTwoMegabytesPassesTheServer() async throws {
        let subscriber = try await BusTestSupport.connect("large-subscriber")
        let publisher = try await BusTestSupport.connect("large-publisher")
        let subject = BusTestSupport.unique("large")
        let subscription = try await subscriber.subscribe(to: subject)
        try await subscriber.flush()
        let payload = Data((0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try await publisher.publish(payload, to: subject)
        try await publisher.flush()
        #expect(try await subscription.first().payload == payload)
    }

    @Test func queueGroupMembersShareMessagesWithoutLossOrDuplicates() async throws {
        let first = try await BusTestSupport.connect("queue-1")
        let second = try await BusTestSupport.connect("queue-2")
        let publisher = try await BusTestSupport.connect("queue-publisher")
        let subject = BusTestSupport.unique("jobs")
        let firstMember = try await first.subscribe(to: subject, queueGroup: "workers")
        let secondMember = try await second.subscribe(to: subject, queueGroup: "workers")
        try await first.flush()
        try await second.flush()

        let firstReceived = Task {
            await firstMember.reduce(into: [Int]()) { $0.append(Int(String(decoding: $1.payload, as: UTF8.self))!) }
        }
        let secondReceived = Task {
            await secondMember.reduce(into: [Int]()) { $0.append(Int(String(decoding: $1.payload, as: UTF8.self))!) }
        }
        for index in 0..<100 {
            try await publisher.publish(Data(String(index).utf8), to: subject)
        }
        try await publisher.flush()
        // Draining ends each member's sequence after every message the server already routed to it.
        try await first.drain()
        try await second.drain()

        let firstShare = try await within(.seconds(10), "the first member's messages") { await firstReceived.value }
        let secondShare = try await within(.seconds(10), "the second member's messages") { await secondReceived.value }
        #expect(firstShare.count + secondShare.count == 100)
        #expect(Set(firstShare + secondShare) == Set(0..<100))
        #expect(!firstShare.isEmpty && !secondShare.isEmpty)
    }

    @Test func requestIsAnsweredByAResponder() async throws {
        let responder = try await BusTestSupport.connect("responder")
        let requester = try await BusTestSupport.connect("requester")
        let subject = BusTestSupport.unique("activeseg.v1.selector.select")
        let requests = try await responder.subscribe(to: subject)
        try await responder.flush()
        let answering = Task {
            for await request in requests {
                var headers = BusHeaders()
                headers["x-answer-to"] = request.headers["x-question"]
                try await responder.reply(to: request, with: Data(request.payload.reversed()), headers: headers)
            }
        }
        defer { answering.cancel() }

        let reply = try await requester.request(
            Data("abc".utf8), to: subject, headers: ["x-question": "q1"], timeout: .seconds(5))
        #expect(reply.payload == Data("cba".utf8))
        #expect(reply.headers["x-answer-to"] == "q1")
    }

    @Test func requestWithoutRespondersFailsWithNoResponders() async throws {
        let requester = try await BusTestSupport.connect("lonely-requester")
        let subject = BusTestSupport.unique("nobody.listens")
        await #expect {
            _ = try await requester.request(Data("ping".utf8), to: subject, timeout: .seconds(30))
        } throws: { error in
            let busError = error as? BusError
            return busError?.code == .noResponders && busError?.subject == subject
        }
    }

    @Test func concurrentRequestsEachGetTheirOwnReply() async throws {
        let responder = try await BusTestSupport.connect("echo-responder")
        let requester = try await BusTestSupport.connect("concurrent-requester")
        let subject = BusTestSupport.unique("echo")
        let requests = try await responder.subscribe(to: subject)
        try await responder.flush()
        let answering = Task {
            // Answers in reverse order of arrival, so replies cross each other on the way back.
            var held: [BusMessage] = []
            for await request in requests {
                held.append(request)
                if held.count == 50 {
                    for request in held.reversed() { try await responder.reply(to: request, with: request.payload) }
                    held.removeAll()
                }
            }
        }
        defer { answering.cancel() }

        let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let payload = Data("request \(index)".utf8)
                    return try await requester.request(payload, to: subject, timeout: .seconds(30)).payload != payload
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(mismatches == 0)
    }

    @Test func cancellingARequestEndsItWithCancellationError() async throws {
        let responder = try await BusTestSupport.connect("never-responder")
        let requester = try await BusTestSupport.connect("cancelled-requester")
        let subject = BusTestSupport.unique("never.answers")
        let requests = try await responder.subscribe(to: subject)
        try await responder.flush()

        let request = Task { try await requester.request(Data("ping".utf8), to: subject, timeout: .seconds(600)) }
        _ = try await requests.first()
        request.cancel()
        let outcome = try await within(.seconds(10), "the cancelled request to end") { await request.result }
        #expect(throws: CancellationError.self) { try outcome.get() }
    }

    @Test func requestsOnAClosedConnectionFailWithConnectionClosed() async throws {
        let connection = try await BusTestSupport.connect("closed-requester")
        await connection.close()
        await #expect {
            _ = try await connection.request(
                Data("ping".utf8), to: BusTestSupport.unique("closed"), timeout: .seconds(30))
        } throws: { error in
            (error as? BusError)?.code == .connectionClosed
        }
    }

    @Test func requestToASilentResponderTimesOut() async throws {
        let responder = try await BusTestSupport.connect("slow-responder")
        let requester = try await BusTestSupport.connect("impatient-requester")
        let subject = BusTestSupport.unique("slow.service")
        let requests = try await responder.subscribe(to: subject)
        try await responder.flush()
        let answering = Task {
            for await request in requests {
                try await Task.sleep(for: .seconds(2))
                try await responder.reply(to: request, with: Data("late".utf8))
            }
        }
        defer { answering.cancel() }

        await #expect {
            _ = try await requester.request(Data("ping".utf8), to: subject, timeout: .milliseconds(200))
        } throws: { error in
            (error as? BusError)?.code == .timeout
        }
    }

    @Test func replyingToAMessageWithoutReplySubjectIsRejected() async throws {
        let connection = try await BusTestSupport.connect("replier")
        let message = BusMessage(subject: "activeseg.v1.events.none", payload: Data())
        await #expect {
            try await connection.reply(to: message, with: Data())
        } throws: { error in
            (error as? BusError)?.code == .noReplySubject
        }
    }

    @Test func connectingToAnAbsentServerFailsWithNotConnected() async throws {
        var configuration = BusConfiguration(servers: ["nats://127.0.0.1:1"], clientName: "bus-tests-absent")
        configuration.connectTimeout = .milliseconds(500)
        await #expect {
            _ = try await BusConnection.connect(configuration, logger: BusTestSupport.logger)
        } throws: { error in
            (error as? BusError)?.code == .notConnected
        }
    }

    @Test func publishingOnAClosedConnectionFailsWithConnectionClosed() async throws {
        let connection = try await BusTestSupport.connect("closing")
        await connection.close()
        #expect(connection.isClosed)
        await #expect {
            try await connection.publish(Data("late".utf8), to: BusTestSupport.unique("closed"))
        } throws: { error in
            (error as? BusError)?.code == .connectionClosed
        }
    }
}
