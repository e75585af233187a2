import CNATS
import Redaction

/// A failure of the message bus, with the libnats status text and the subject or stream involved, so
/// a log line says what was being sent where.
public struct BusError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, independent of the wording libnats uses.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: Hashable, Sendable {
            case noResponders, timeout, connectionClosed, notConnected, authenticationFailed
            case streamNotFound, consumerNotFound, invalidSubject, invalidConfiguration
            case malformedMessage, noReplySubject, jetStream(Int), other(Int)
        }
        fileprivate let base: Base

        /// A request reached the server but nobody subscribes to its subject.
        public static let noResponders = Code(base: .noResponders)
        /// A responder, the server or a JetStream API call did not answer in time.
        public static let timeout = Code(base: .timeout)
        /// The connection was closed (or is draining) and accepts no more work.
        public static let connectionClosed = Code(base: .connectionClosed)
        /// No server could be reached (initial connect or while reconnecting).
        public static let notConnected = Code(base: .notConnected)
        /// The server refused the credentials.
        public static let authenticationFailed = Code(base: .authenticationFailed)
        /// The named JetStream stream does not exist.
        public static let streamNotFound = Code(base: .streamNotFound)
        /// The named JetStream consumer does not exist.
        public static let consumerNotFound = Code(base: .consumerNotFound)
        /// The subject is empty or not a valid NATS subject.
        public static let invalidSubject = Code(base: .invalidSubject)
        /// A configuration value is missing or invalid.
        public static let invalidConfiguration = Code(base: .invalidConfiguration)
        /// A received message lacks a required header or its body does not decode.
        public static let malformedMessage = Code(base: .malformedMessage)
        /// A reply was attempted to a message that carries no reply subject.
        public static let noReplySubject = Code(base: .noReplySubject)
        /// The JetStream API answered with this error code (see the NATS server's error table).
        public static func jetStream(_ errorCode: Int) -> Code { Code(base: .jetStream(errorCode)) }
        /// Any other libnats status, by its numeric value.
        public static func other(_ status: Int) -> Code { Code(base: .other(status)) }

        public var description: String {
            switch base {
            case .noResponders: "no responders"
            case .timeout: "timeout"
            case .connectionClosed: "connection closed"
            case .notConnected: "not connected"
            case .authenticationFailed: "authentication failed"
            case .streamNotFound: "stream not found"
            case .consumerNotFound: "consumer not found"
            case .invalidSubject: "invalid subject"
            case .invalidConfiguration: "invalid configuration"
            case .malformedMessage: "malformed message"
            case .noReplySubject: "no reply subject"
            case .jetStream(let code): "JetStream error \(code)"
            case .other(let status): "NATS status \(status)"
            }
        }
    }

    public var code: Code
    /// The subject, stream or consumer the operation addressed.
    public var subject: String
    /// The server's or libnats' own wording, kept verbatim for diagnosis.
    public var detail: String

    /// Redacts credentials in `subject` and `detail`: a connection error names the server URLs, and
    /// libnats' wording may quote one.
    public init(code: Code, subject: String, detail: String) {
        self.code = code
        self.subject = redactingCredentials(in: subject)
        self.detail = redactingCredentials(in: detail)
    }

    public var description: String {
        "\(code) on '\(subject)': \(detail)"
    }
}

extension BusError {
    /// Maps a libnats status (and the JetStream error code, when the call has one) to an error,
    /// taking the detailed text from libnats' thread-local last-error record.
    init(status: natsStatus, jetStreamCode: jsErrCode = jsErrCode(rawValue: 0), subject: String) {
        let detail = Self.lastErrorText(status)
        let code: Code
        switch status {
        case NATS_NO_RESPONDERS: code = .noResponders
        case NATS_TIMEOUT: code = .timeout
        case NATS_CONNECTION_CLOSED, NATS_DRAINING: code = .connectionClosed
        case NATS_NO_SERVER, NATS_CONNECTION_DISCONNECTED: code = .notConnected
        case NATS_CONNECTION_AUTH_FAILED: code = .authenticationFailed
        case NATS_INVALID_SUBJECT: code = .invalidSubject
        default:
            switch jetStreamCode {
            case JSStreamNotFoundErr: code = .streamNotFound
            case JSConsumerNotFoundErr: code = .consumerNotFound
            case jsErrCode(rawValue: 0): code = .other(Int(status.rawValue))
            default: code = .jetStream(Int(jetStreamCode.rawValue))
            }
        }
        self.init(code: code, subject: subject, detail: detail)
    }

    /// Throws unless `status` is `NATS_OK`; must run on the thread that made the failing call,
    /// since libnats keeps the error text per thread.
    static func check(
        _ status: natsStatus, jetStreamCode: jsErrCode = jsErrCode(rawValue: 0),
        subject: String
    ) throws(BusError) {
        guard status != NATS_OK else { return }
        throw BusError(status: status, jetStreamCode: jetStreamCode, subject: subject)
    }

    private static func lastErrorText(_ status: natsStatus) -> String {
        var lastStatus = NATS_OK
        if let text = nats_GetLastError(&lastStatus), lastStatus == status, text.pointee != 0 {
            return String(cString: text)
        }
        return String(cString: natsStatus_GetText(status))
    }
}
