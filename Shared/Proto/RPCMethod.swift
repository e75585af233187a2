import SwiftProtobuf

/// One `rpc` method of a `service` block in `Protos/`, typed by its request and response messages.
///
/// The values exist only in the generated `<Service>RPC` enums, whose subjects are derived from the
/// proto declarations (`activeseg.v1.<service>.<method>`, lower case). A bus that takes an
/// `RPCMethod` can therefore neither send a message to a subject that expects another, nor decode
/// the reply as the wrong type, nor invent a subject no contract declares.
public struct RPCMethod<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>: Sendable, Hashable {
    /// The service block's name as declared, e.g. `Selector`; workers of one service share a queue
    /// group named after it.
    public let service: String
    /// The method's name as declared, e.g. `Select`.
    public let method: String
    /// The NATS subject requests are sent to.
    public let subject: String

    init(service: String, method: String, subject: String) {
        self.service = service
        self.method = method
        self.subject = subject
    }
}

extension RPCMethod: CustomStringConvertible {
    public var description: String { AnyRPCMethod(self).description }
}
