import Bus
import Foundation
import TestSupport
import Testing

@Suite("JetStream streams, de-duplication and pull consumers", .tags(.stack), .needsLocalStack)
struct JetStreamTests {
    /// A memory work-queue stream and its durable consumer with a short ack wait.
    private func workQueue(
        _ prefix: String, ackWait: Duration = .seconds(1)
    ) -> (StreamConfiguration, ConsumerConfiguration) {
        let name = BusTestSupport.unique(prefix).uppercased()
        let stream = StreamConfiguration(
            name: name, subjects: ["\(name.lowercased()).>"], retention: .workQueue, storage: .memory)
        let consumer = ConsumerConfiguration(durableName: "workers", ackWait: ackWait)
        return (stream, consumer)
    }

    @Test func unackedWorkQueueMessageIsRedeliveredToAnotherWorker() async throws {
        let connection = try await BusTestSupport.connect("jetstream-redelivery")
        let jetStream = try JetStream(connection: connection)
        let (stream, consumer) = workQueue("score_jobs")
        try await BusTestSupport.withStream(stream, on: jetStream) {
            try await jetStream.ensureConsumer(stream: stream.name, consumer)
            let subject = "\(stream.name.lowercased()).case-0007"
            try await jetStream.publish(Data("score case 7".utf8), to: subject, messageID: "job-7")

            let crashingWorker = try await jetStream.pullConsumer(
                stream: stream.name, durableName: consumer.durableName)
            let taken = try #require(try await crashingWorker.fetch(maxMessages: 1, timeout: .seconds(5)).first)
            #expect(taken.deliveryCount == 1)
            #expect(taken.payload == Data("score case 7".utf8))

            // The first worker never acks; after the ack wait the job goes to the next fetch.
            let secondWorker = try await jetStream.pullConsumer(stream: stream.name, durableName: consumer.durableName)
            let redelivered = try #require(try await secondWorker.fetch(maxMessages: 1, timeout: .seconds(10)).first)
            #expect(redelivered.streamSequence == taken.streamSequence)
            #expect(redelivered.deliveryCount == 2)
            #expect(redelivered.subject == subject)
            try await redelivered.ack()

            #expect(try await secondWorker.fetch(maxMessages: 1, timeout: .milliseconds(300)).isEmpty)
            #expect(try await jetStream.streamState(stream.name).messages == 0)
        }
    }

    @Test func nakWithDelayRedeliversAfterTheDelay() async throws {
        let connection = try await BusTestSupport.connect("jetstream-nak")
        let jetStream = try JetStream(connection: connection)
        let (stream, consumer) = workQueue("train_jobs", ackWait: .seconds(30))
        try await BusTestSupport.withStream(stream, on: jetStream) {
            try await jetStream.ensureConsumer(stream: stream.name, consumer)
            try await jetStream.publish(Data("train round 1".utf8), to: "\(stream.name.lowercased()).round-1")
            let worker = try await jetStream.pullConsumer(stream: stream.name, durableName: consumer.durableName)

            let first = try #require(try await worker.fetch(maxMessages: 1, timeout: .seconds(5)).first)
            try await first.inProgress()
            try await first.nak(delay: .seconds(2))
            #expect(try await worker.fetch(maxMessages: 1, timeout: .milliseconds(300)).isEmpty)

            let again = try #require(try await worker.fetch(maxMessages: 1, timeout: .seconds(10)).first)
            #expect(again.streamSequence == first.streamSequence)
            #expect(again.deliveryCount == 2)
            try await again.ack()
        }
    }

    @Test func duplicateMessageIDIsStoredOnce() async throws {
        let connection = try await BusTestSupport.connect("jetstream-dedup")
        let jetStream = try JetStream(connection: connection)
        let name = BusTestSupport.unique("EVENTS").uppercased()
        let stream = StreamConfiguration(
            name: name, subjects: ["\(name.lowercased()).>"], storage: .memory,
            maxAge: .seconds(60), duplicateWindow: .seconds(30))
        try await BusTestSupport.withStream(stream, on: jetStream) {
            let subject = "\(name.lowercased()).round.completed"
            let first = try await jetStream.publish(Data("round 3 completed".utf8), to: subject, messageID: "event-42")
            let repeated = try await jetStream.publish(
                Data("round 3 completed".utf8), to: subject, messageID: "event-42")
            let other = try await jetStream.publish(Data("round 4 completed".utf8), to: subject, messageID: "event-43")

            #expect(first.stream == name)
            #expect(!first.duplicate)
            #expect(repeated.duplicate)
            #expect(repeated.sequence == first.sequence)
            #expect(!other.duplicate)
            #expect(try await jetStream.streamState(name).messages == 2)
        }
    }

    @Test func ensureStreamIsIdempotentAndAppliesChangedLimits() async throws {
        let connection = try await BusTestSupport.connect("jetstream-ensure")
        let jetStream = try JetStream(connection: connection)
        let name = BusTestSupport.unique("LIMITS").uppercased()
        var stream = StreamConfiguration(
            name: name, subjects: ["\(name.lowercased()).>"], storage: .memory, maxMessages: 10)
        try await BusTestSupport.withStream(stream, on: jetStream) {
            try await jetStream.ensureStream(stream)
            stream.maxMessages = 2
            try await jetStream.ensureStream(stream)
            for index in 0..<5 {
                try await jetStream.publish(Data([UInt8(index)]), to: "\(name.lowercased()).tick")
            }
            let state = try await jetStream.streamState(name)
            #expect(state.messages == 2)
            #expect(state.lastSequence == 5)
        }
    }

    @Test func missingStreamIsReportedAsStreamNotFound() async throws {
        let connection = try await BusTestSupport.connect("jetstream-missing")
        let jetStream = try JetStream(connection: connection)
        let name = BusTestSupport.unique("ABSENT").uppercased()
        await #expect {
            _ = try await jetStream.streamState(name)
        } throws: { error in
            let busError = error as? BusError
            return busError?.code == .streamNotFound && busError?.subject == name
        }
    }
}
