import Bus
import Foundation
import Logging
import Proto
import SwiftProtobuf

/// Answers one rpc method: decodes a request, runs the handler, encodes the response — or, when
/// the request does not decode or the handler throws, an `ErrorReply`. Either way the method keeps
/// serving; a failure costs the caller one request, never the service.
///
/// Type-erased over the method's request and response, so one server holds the responders of all
/// its methods in one list.
public struct RPCResponder: Sendable {
    /// A handler's answer, encoded: the body and, for an error, the headers that mark it.
    struct Reply: Sendable {
        var payload: Data
        var headers: BusHeaders
    }

    public let method: AnyRPCMethod
    private let respond: @Sendable (Data, Logger) async -> Reply

    /// - Parameter handler: computes the response; throw an `RPCError` to choose the code sent
    ///   back. Any other error is sent as `.unknown` with its description, and cancellation (the
    ///   service stopping) as `.cancelled`.
    public init<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        handler: @escaping @Sendable (Request, Logger) async throws -> Response
    ) {
        let described = AnyRPCMethod(method)
        self.method = described
        let name = "\(described.service.lowercased()).\(described.method.lowercased())"
        self.respond = { payload, logger in
            let started = ContinuousClock.now
            do {
                let request: Request
                do {
                    request = try Request(serializedBytes: payload)
                } catch {
                    throw RPCError(
                        .invalidArgument, "the request does not decode as \(Request.protoMessageName)",
                        details: ["request.bytes": String(payload.count)])
                }
                let response = try await handler(request, logger)
                let reply = Reply(payload: try response.serializedData(), headers: BusHeaders())
                ServiceMetrics.recordRequest(method: name, code: "ok", duration: ContinuousClock.now - started)
                return reply
            } catch {
                let failure = Self.rpcError(error)
                ServiceMetrics.recordRequest(
                    method: name, code: "\(failure.code)", duration: ContinuousClock.now - started)
                logger.log(
                    level: failure.code == .internal || failure.code == .unknown ? .error : .notice,
                    "request failed", metadata: ["rpc.code": "\(failure.code)", "rpc.error": "\(failure.message)"])
                return Reply(payload: Self.encode(failure.errorReply), headers: RPCWire.errorHeaders(failure))
            }
        }
    }

    /// Answers one received request.
    func reply(to payload: Data, logger: Logger) async -> Reply {
        await respond(payload, logger)
    }

    private static func rpcError(_ error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case is CancellationError: RPCError(.cancelled, "the service stopped before answering")
        default: RPCError(.unknown, String(describing: error))
        }
    }

    /// An `ErrorReply` has no required fields, so encoding it cannot fail.
    private static func encode(_ reply: ErrorReply) -> Data {
        (try? reply.serializedData()) ?? Data()
    }
}
