import CNATS
import Foundation
import Synchronization

/// A message fetched from a pull consumer, to be settled with `ack`, `nak`, `inProgress` or `term`.
///
/// Ownership: owns its `natsMsg`, destroyed exactly once in `deinit`. libnats acks through the
/// message's subscription, so the message holds its `PullConsumer` until it is gone.
/// `@unchecked Sendable`: subject, headers and payload are copied at fetch time; the `natsMsg`
/// itself is not thread-safe, so every call on it is serialized by `lock`.
public final class JetStreamMessage: @unchecked Sendable {
    public let subject: String
    public let headers: BusHeaders
    public let payload: Data
    /// The message's position in its stream.
    public let streamSequence: UInt64
    /// 1 on first delivery, counting up with every redelivery.
    public let deliveryCount: UInt64
    private let handle: OpaquePointer
    private let consumer: PullConsumer
    private let lock = Mutex(())

    init(taking message: UnsafeHandle, consumer: PullConsumer) {
        handle = message.pointer
        self.consumer = consumer
        subject = String(cString: natsMsg_GetSubject(handle))
        headers = NATSMessage.headers(of: handle)
        payload = NATSMessage.payload(of: handle)
        var metadata: UnsafeMutablePointer<jsMsgMetaData>?
        if natsMsg_GetMetaData(&metadata, handle) == NATS_OK, let metadata {
            streamSequence = metadata.pointee.Sequence.Stream
            deliveryCount = metadata.pointee.NumDelivered
            jsMsgMetaData_Destroy(metadata)
        } else {
            streamSequence = 0
            deliveryCount = 0
        }
    }

    deinit {
        natsMsg_Destroy(handle)
    }

    /// Acknowledges and waits for the server's confirmation, so the caller knows the message
    /// will not be redelivered (work-queue streams then delete it).
    public func ack() async throws {
        try await settle { (message, errorCode) in natsMsg_AckSync(message, nil, &errorCode) }
    }

    /// Hands the message back for redelivery, at once or after `delay`.
    public func nak(delay: Duration? = nil) async throws {
        try await settle { (message, _) in
            if let delay { natsMsg_NakWithDelay(message, delay.milliseconds, nil) } else { natsMsg_Nak(message, nil) }
        }
    }

    /// Tells the server the work goes on, restarting the ack wait.
    public func inProgress() async throws {
        try await settle { (message, _) in natsMsg_InProgress(message, nil) }
    }

    /// Gives the message up: it is not redelivered.
    public func term() async throws {
        try await settle { (message, _) in natsMsg_Term(message, nil) }
    }

    private func settle(_ call: @escaping @Sendable (OpaquePointer, inout jsErrCode) -> natsStatus) async throws {
        let message = UnsafeHandle(pointer: handle)
        let subject = subject
        try await BlockingCalls.run { () throws(BusError) in
            try withExtendedLifetime(self) { () throws(BusError) in
                try self.lock.withLock { _ throws(BusError) in
                    var errorCode = jsErrCode(rawValue: 0)
                    try BusError.check(call(message.pointer, &errorCode), jetStreamCode: errorCode, subject: subject)
                }
            }
        }
    }
}
