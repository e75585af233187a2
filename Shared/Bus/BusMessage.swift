import Foundation

/// A message received from core NATS, copied out of libnats so that it is an ordinary value.
public struct BusMessage: Sendable {
    public var subject: String
    /// Where a reply goes: set when the sender made a request.
    public var replySubject: String?
    public var headers: BusHeaders
    public var payload: Data

    public init(subject: String, replySubject: String? = nil, headers: BusHeaders = BusHeaders(), payload: Data) {
        self.subject = subject
        self.replySubject = replySubject
        self.headers = headers
        self.payload = payload
    }
}
