import Bus
import Foundation
import Proto
import SwiftProtobuf

/// How replies travel: the body is the method's response message, or an `ErrorReply` when the
/// headers say so. The header names are those of the NATS services protocol, so generic NATS
/// tooling (`nats req`) shows a failed call as one.
enum RPCWire {
    /// Present (with the numeric `ErrorCode`) exactly when the body is an `ErrorReply`.
    static let errorCodeHeader = "Nats-Service-Error-Code"
    /// The error message, readable without decoding the body.
    static let errorHeader = "Nats-Service-Error"

    /// `subject` under a deployment's subject prefix.
    static func subject(_ subject: String, prefix: String) -> String {
        prefix.isEmpty ? subject : "\(prefix).\(subject)"
    }

    static func errorHeaders(_ error: RPCError) -> BusHeaders {
        var headers = BusHeaders()
        headers[errorCodeHeader] = String(error.code.rawValue)
        // A header value ends at a line break on the wire.
        headers[errorHeader] = error.message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return headers
    }

    /// The response `reply` carries, or the `RPCError` it reports.
    static func decode<Response: SwiftProtobuf.Message>(
        _ reply: BusMessage, as _: Response.Type,
        subject: String
    ) throws(RPCError) -> Response {
        let isError = reply.headers[errorCodeHeader] != nil
        do {
            if isError {
                throw RPCError(try ErrorReply(serializedBytes: reply.payload), subject: subject)
            }
            return try Response(serializedBytes: reply.payload)
        } catch let error as RPCError {
            throw error
        } catch {
            let expected = isError ? ErrorReply.protoMessageName : Response.protoMessageName
            throw RPCError(
                .internal, "the reply does not decode as \(expected)",
                details: ["reply.bytes": String(reply.payload.count)], subject: subject, cause: error)
        }
    }
}
