import SwiftProtobuf

/// An `RPCMethod` without its types, so methods of different signatures fit in one list: for
/// subscribing a worker to all of a service's subjects, or for listing what the bus offers.
public struct AnyRPCMethod: Sendable, Hashable, CustomStringConvertible {
    public let service: String
    public let method: String
    public let subject: String
    /// The request's full protobuf name, e.g. `activeseg.v1.SelectRequest`.
    public let requestMessageName: String
    /// The response's full protobuf name, e.g. `activeseg.v1.SelectResult`.
    public let responseMessageName: String

    public init<Request, Response>(_ method: RPCMethod<Request, Response>) {
        self.service = method.service
        self.method = method.method
        self.subject = method.subject
        self.requestMessageName = Request.protoMessageName
        self.responseMessageName = Response.protoMessageName
    }

    public var description: String {
        "\(service).\(method)(\(requestMessageName)) -> \(responseMessageName) on \(subject)"
    }
}
