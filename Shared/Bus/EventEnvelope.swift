import Foundation
import SwiftProtobuf

/// An event in CloudEvents 1.0 binary mode: the attributes travel as `ce-*` headers and the
/// protobuf message is the payload, so a subscriber can route and de-duplicate on headers
/// without decoding the body, and any CloudEvents-aware tool can read the attributes.
///
/// Headers written: `ce-specversion: 1.0`, `ce-type`, `ce-source`, `ce-id`, `ce-time` (RFC 3339,
/// UTC, milliseconds), `content-type: application/protobuf`, and `Nats-Msg-Id` equal to `ce-id`
/// so that JetStream stores a re-published event once.
public struct EventEnvelope<Body: SwiftProtobuf.Message>: Sendable {
    public static var specVersion: String { "1.0" }
    public static var contentType: String { "application/protobuf" }

    /// What happened, reverse-DNS style (e.g. `activeseg.v1.round.completed`).
    public var type: String
    /// Who says so, as a URI reference (e.g. `/activeseg/orchestrator`).
    public var source: String
    /// Unique per `source`; a repeat with the same id is the same event.
    public var id: String
    public var time: Date
    public var body: Body

    public init(
        type: String, source: String, id: String = UUID().uuidString.lowercased(),
        time: Date = Date(), body: Body
    ) {
        self.type = type
        self.source = source
        self.id = id
        self.time = time
        self.body = body
    }

    public var headers: BusHeaders {
        var headers = BusHeaders()
        headers["ce-specversion"] = Self.specVersion
        headers["ce-type"] = type
        headers["ce-source"] = source
        headers["ce-id"] = id
        headers["ce-time"] = time.formatted(Self.timeFormat)
        headers["content-type"] = Self.contentType
        headers["Nats-Msg-Id"] = id
        return headers
    }

    public func payload() throws -> Data {
        do {
            return try body.serializedBytes()
        } catch {
            throw BusError(code: .malformedMessage, subject: type, detail: "body does not encode: \(error)")
        }
    }

    /// Decodes an event, rejecting a message that lacks a required attribute (`ce-specversion`,
    /// `ce-type`, `ce-source`, `ce-id`, `ce-time`), has another spec version or content type, or
    /// whose body is not a `Body`; the error names the subject and what is wrong.
    public init(headers: BusHeaders, payload: Data, subject: String) throws {
        func required(_ name: String) throws -> String {
            guard let value = headers[name], !value.isEmpty else {
                throw BusError(
                    code: .malformedMessage, subject: subject, detail: "missing CloudEvents attribute \(name)")
            }
            return value
        }
        let version = try required("ce-specversion")
        guard version == Self.specVersion else {
            throw BusError(code: .malformedMessage, subject: subject, detail: "unsupported ce-specversion \(version)")
        }
        type = try required("ce-type")
        source = try required("ce-source")
        id = try required("ce-id")
        let timeText = try required("ce-time")
        guard let parsed = Self.parseTime(timeText) else {
            throw BusError(code: .malformedMessage, subject: subject, detail: "ce-time is not RFC 3339: \(timeText)")
        }
        time = parsed
        if let contentType = headers["content-type"], contentType != Self.contentType {
            throw BusError(code: .malformedMessage, subject: subject, detail: "unsupported content-type \(contentType)")
        }
        do {
            body = try Body(serializedBytes: payload)
        } catch {
            throw BusError(
                code: .malformedMessage, subject: subject, detail: "body is not \(Body.protoMessageName): \(error)")
        }
    }

    public init(decoding message: BusMessage) throws {
        try self.init(headers: message.headers, payload: message.payload, subject: message.subject)
    }

    public init(decoding message: JetStreamMessage) throws {
        try self.init(headers: message.headers, payload: message.payload, subject: message.subject)
    }

    private static var timeFormat: Date.ISO8601FormatStyle {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    }

    /// RFC 3339 with or without fractional seconds, any offset.
    private static func parseTime(_ text: String) -> Date? {
        if let date = try? timeFormat.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text)
    }
}

extension BusConnection {
    /// Publishes an event on core NATS (fire and forget: live subscribers only).
    public func publish<Body>(_ event: EventEnvelope<Body>, to subject: String) async throws {
        try await publish(event.payload(), to: subject, headers: event.headers)
    }
}

extension JetStream {
    /// Stores an event in the stream capturing `subject`, de-duplicated by its `ce-id`.
    @discardableResult
    public func publish<Body>(_ event: EventEnvelope<Body>, to subject: String) async throws -> PublishAck {
        try await publish(event.payload(), to: subject, headers: event.headers, messageID: event.id)
    }
}
