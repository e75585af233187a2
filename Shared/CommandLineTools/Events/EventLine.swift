import Bus
import Foundation
import Proto
import SwiftProtobuf

/// One stored event as `events tail` prints it: the CloudEvents attributes and the body in
/// protobuf's JSON mapping.
struct EventLine {
    var sequence: UInt64
    var subject: String
    var type: String
    var source: String
    var id: String
    var time: Date
    /// The body as protobuf JSON (one line), or nil for an event type this build does not know.
    var body: String?

    /// Decodes the envelope with the body type its `ce-type` names (`activeseg.v1.<kind>`).
    init(_ message: JetStreamMessage) throws {
        let typeName = message.headers["ce-type"] ?? ""
        let kind =
            typeName.hasPrefix("activeseg.v1.")
            ? EventKind(rawValue: String(typeName.dropFirst("activeseg.v1.".count))) : nil
        sequence = message.streamSequence
        subject = message.subject
        if let kind {
            (type, source, id, time, body) = try Self.decode(kind.messageType, message)
        } else {
            let envelope = try EventEnvelope<Google_Protobuf_Empty>(decoding: message)
            (type, source, id, time, body) = (envelope.type, envelope.source, envelope.id, envelope.time, nil)
        }
    }

    private static func decode<Event: BusEvent>(
        _ event: Event.Type, _ message: JetStreamMessage
    ) throws -> (String, String, String, Date, String?) {
        let envelope = try EventEnvelope<Event>(decoding: message)
        return (envelope.type, envelope.source, envelope.id, envelope.time, try envelope.body.jsonString())
    }

    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// `time  type  subject  body`.
    var text: String {
        "\(time.formatted(Self.timeFormat))  \(type)  \(subject)  \(body ?? "(unknown event type)")\n"
    }

    /// One JSON object on one line (JSON Lines), the body as a nested object.
    func json() throws -> String {
        var object: [String: Any] = [
            "sequence": sequence, "subject": subject, "type": type, "source": source, "id": id,
            "time": time.formatted(Self.timeFormat),
        ]
        if let body, let parsed = try? JSONSerialization.jsonObject(with: Data(body.utf8)) { object["body"] = parsed }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
