import Bus
import Foundation
import SwiftProtobuf
import TestSupport
import Testing

@Suite("CloudEvents envelope around protobuf bodies", .tags(.stack), .needsLocalStack)
struct EventEnvelopeTests {
    private let time = Date(timeIntervalSince1970: 1_795_000_000.125)

    private func event() -> EventEnvelope<Google_Protobuf_StringValue> {
        EventEnvelope(
            type: "activeseg.v1.round.completed", source: "/activeseg/orchestrator",
            id: "3f1c2b8e-5d4a-4e8b-9a77-0c1d2e3f4a5b", time: time,
            body: Google_Protobuf_StringValue("round 3"))
    }

    @Test func headersFollowCloudEventsBinaryMode() throws {
        let headers = event().headers
        #expect(headers["ce-specversion"] == "1.0")
        #expect(headers["ce-type"] == "activeseg.v1.round.completed")
        #expect(headers["ce-source"] == "/activeseg/orchestrator")
        #expect(headers["ce-id"] == "3f1c2b8e-5d4a-4e8b-9a77-0c1d2e3f4a5b")
        #expect(headers["ce-time"] == "2026-11-18T11:06:40.125Z")
        #expect(headers["content-type"] == "application/protobuf")
        #expect(headers["Nats-Msg-Id"] == headers["ce-id"])
    }

    @Test func encodeThenDecodeGivesTheSameEvent() throws {
        let original = event()
        let decoded = try EventEnvelope<Google_Protobuf_StringValue>(
            headers: original.headers, payload: try original.payload(), subject: "activeseg.v1.events.e1.round")
        #expect(decoded.type == original.type)
        #expect(decoded.source == original.source)
        #expect(decoded.id == original.id)
        #expect(abs(decoded.time.timeIntervalSince(original.time)) < 0.001)
        #expect(decoded.body == original.body)
    }

    @Test func timeWithoutFractionAndWithOffsetIsAccepted() throws {
        let original = event()
        var headers = original.headers
        headers["ce-time"] = "2026-11-18T12:06:40+01:00"
        let decoded = try EventEnvelope<Google_Protobuf_StringValue>(
            headers: headers, payload: try original.payload(), subject: "s")
        #expect(decoded.time == Date(timeIntervalSince1970: 1_795_000_000))
    }

    @Test(
        "a missing required attribute is rejected",
        arguments: ["ce-type", "ce-specversion", "ce-source", "ce-id", "ce-time"])
    func missingAttributeIsRejected(_ attribute: String) throws {
        let original = event()
        var headers = original.headers
        headers[attribute] = nil
        #expect {
            _ = try EventEnvelope<Google_Protobuf_StringValue>(
                headers: headers, payload: try original.payload(), subject: "activeseg.v1.events.e1.round")
        } throws: { error in
            let busError = error as? BusError
            return busError?.code == .malformedMessage && busError?.subject == "activeseg.v1.events.e1.round"
                && busError?.detail.contains(attribute) == true
        }
    }

    @Test func bodyOfAnotherTypeIsRejected() throws {
        let original = event()
        let garbage = Data([0xFF, 0xFF, 0xFF])
        #expect {
            _ = try EventEnvelope<Google_Protobuf_Timestamp>(headers: original.headers, payload: garbage, subject: "s")
        } throws: { error in
            (error as? BusError)?.code == .malformedMessage
        }
    }

    @Test func eventTravelsThroughJetStreamAndIsDeduplicatedByItsID() async throws {
        let connection = try await BusTestSupport.connect("envelope")
        let jetStream = try JetStream(connection: connection)
        let name = BusTestSupport.unique("ENVELOPE").uppercased()
        let stream = StreamConfiguration(name: name, subjects: ["\(name.lowercased()).>"], storage: .memory)
        try await BusTestSupport.withStream(stream, on: jetStream) {
            try await jetStream.ensureConsumer(stream: name, ConsumerConfiguration(durableName: "dashboard"))
            let original = event()
            let subject = "\(name.lowercased()).e1.round"
            #expect(!(try await jetStream.publish(original, to: subject).duplicate))
            #expect(try await jetStream.publish(original, to: subject).duplicate)

            let consumer = try await jetStream.pullConsumer(stream: name, durableName: "dashboard")
            let message = try #require(try await consumer.fetch(maxMessages: 1, timeout: .seconds(5)).first)
            let decoded = try EventEnvelope<Google_Protobuf_StringValue>(decoding: message)
            #expect(decoded.id == original.id)
            #expect(decoded.body.value == "round 3")
            try await message.ack()
        }
    }
}
