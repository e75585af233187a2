import Bus
import Foundation
import Proto
import SwiftProtobuf

/// Calls rpc methods of ActiveSeg services over NATS, returning the typed response or throwing the
/// service's `ErrorReply` as an `RPCError`.
public struct RPCClient: Sendable {
    public let connection: BusConnection
    /// Prepended with a dot to every subject; must equal the services' `ACTIVESEG_SUBJECT_PREFIX`.
    public let subjectPrefix: String

    public init(connection: BusConnection, subjectPrefix: String = "") {
        self.connection = connection
        self.subjectPrefix = subjectPrefix
    }

    /// Sends `request` to whichever worker of the method's service answers first.
    ///
    /// - Throws: `RPCError`: the code the service replied with; `.unavailable` when no worker
    ///   listens on the subject; `.deadlineExceeded` when a worker exists but no reply came within
    ///   `timeout`; `.internal` when the reply does not decode. `cause` holds the bus error.
    public func call<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request,
        timeout: Duration = .seconds(30)
    ) async throws(RPCError) -> Response {
        let subject = RPCWire.subject(method.subject, prefix: subjectPrefix)
        let payload: Data
        do {
            payload = try request.serializedData()
        } catch {
            throw RPCError(
                .invalidArgument, "the request does not encode as \(Request.protoMessageName)",
                subject: subject, cause: error)
        }
        let reply: BusMessage
        do {
            reply = try await connection.request(payload, to: subject, timeout: timeout)
        } catch let error as BusError {
            throw Self.transportError(error, subject: subject, timeout: timeout)
        } catch {
            throw RPCError(.unknown, String(describing: error), subject: subject, cause: error)
        }
        return try RPCWire.decode(reply, as: Response.self, subject: subject)
    }

    private static func transportError(_ error: BusError, subject: String, timeout: Duration) -> RPCError {
        switch error.code {
        case .noResponders:
            RPCError(.unavailable, "no worker listens on the subject", subject: subject, cause: error)
        case .timeout:
            RPCError(.deadlineExceeded, "no reply within \(timeout)", subject: subject, cause: error)
        case .connectionClosed, .notConnected:
            RPCError(.unavailable, "not connected to NATS: \(error.detail)", subject: subject, cause: error)
        default:
            RPCError(.unknown, error.description, subject: subject, cause: error)
        }
    }
}
