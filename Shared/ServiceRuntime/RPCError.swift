import Proto

/// A failed rpc call, on either side of the bus: a handler throws it to answer with a chosen code,
/// and a caller receives it for an `ErrorReply`, a missing responder or a timeout.
///
/// The codes are the contracts' `ErrorCode` (gRPC's status codes), so a caller decides whether to
/// retry from the code alone. Transport failures map as a gRPC client maps them: nobody listening
/// is `.unavailable`, no answer in time is `.deadlineExceeded`; `cause` keeps the bus error.
public struct RPCError: Error, CustomStringConvertible, Sendable {
    public typealias Code = ErrorCode

    public var code: Code
    /// For a person: what failed and why.
    public var message: String
    /// The context needed to act on the failure (case id, field, experiment id, …), by name.
    public var details: [String: String]
    /// The subject of the call, so a log line says which service failed.
    public var subject: String
    /// The underlying error when the failure happened on this side (e.g. a `BusError`).
    public var cause: (any Error)?

    public init(
        _ code: Code, _ message: String, details: [String: String] = [:], subject: String = "",
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.details = details
        self.subject = subject
        self.cause = cause
    }

    /// The error a service sent back.
    public init(_ reply: ErrorReply, subject: String) {
        self.init(reply.code, reply.message, details: reply.details, subject: subject)
    }

    /// The reply that reports this error to the caller.
    public var errorReply: ErrorReply {
        ErrorReply.with {
            $0.code = code
            $0.message = message
            $0.details = details
        }
    }

    public var description: String {
        let context = details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        let place = subject.isEmpty ? "" : " on '\(subject)'"
        return "\(code)\(place): \(message)" + (context.isEmpty ? "" : " (\(context))")
    }
}
