import CNATS

/// A worker's binding to a durable pull consumer: it asks the server for messages when it is
/// ready for them, so a busy worker is never pushed more than it fetched.
///
/// Ownership: owns one pull `natsSubscription`, destroyed exactly once in `deinit`. The consumer
/// itself is created by `JetStream.ensureConsumer` and outlives the binding: destroying the
/// subscription leaves it, and its unacknowledged messages, on the server.
/// `@unchecked Sendable`: the handle never changes, and fetches run one at a time on the
/// consumer's own thread, as a libnats pull subscription serves one fetch at a time.
///
/// That thread also keeps a fetch, which may wait its whole timeout for a message, from holding up
/// any other blocking call of the process, and theirs from delaying the fetch.
public final class PullConsumer: @unchecked Sendable {
    public let stream: String
    public let durableName: String
    private let jetStream: JetStream
    private let handle: OpaquePointer
    private let fetchThread: BlockingThreadPool

    private init(stream: String, durableName: String, jetStream: JetStream, handle: OpaquePointer) {
        self.stream = stream
        self.durableName = durableName
        self.jetStream = jetStream
        self.handle = handle
        self.fetchThread = BlockingThreadPool(name: "activeseg.bus.fetch.\(stream).\(durableName)", maxThreads: 1)
    }

    deinit {
        natsSubscription_Destroy(handle)
        fetchThread.shutDown()
    }

    /// Binds to the existing durable consumer `durableName` of `stream`; fails with
    /// `.consumerNotFound` or `.streamNotFound` when it is missing.
    static func bind(stream: String, durableName: String, jetStream: JetStream) async throws(BusError) -> PullConsumer {
        let subscription = try await jetStream.blocking { (context) throws(BusError) -> UnsafeHandle in
            let strings = CStringArena()
            var options = jsSubOptions()
            try BusError.check(jsSubOptions_Init(&options), subject: stream)
            options.Stream = strings.copy(stream)
            options.Consumer = strings.copy(durableName)
            options.ManualAck = true
            var created: OpaquePointer?
            var errorCode = jsErrCode(rawValue: 0)
            try BusError.check(
                js_PullSubscribe(&created, context, "", durableName, nil, &options, &errorCode),
                jetStreamCode: errorCode, subject: "\(stream).\(durableName)")
            guard let created else {
                throw BusError(
                    code: .other(Int(NATS_ERR.rawValue)), subject: stream, detail: "no pull subscription returned")
            }
            return UnsafeHandle(pointer: created)
        }
        return PullConsumer(
            stream: stream, durableName: durableName, jetStream: jetStream, handle: subscription.pointer)
    }

    /// Fetches up to `maxMessages`, waiting at most `timeout` for the first; returns an empty
    /// array when none arrived in time. Each message must be acked, nak'ed or terminated, or it
    /// comes back after the consumer's ack wait.
    public func fetch(maxMessages: Int, timeout: Duration) async throws -> [JetStreamMessage] {
        let subscription = UnsafeHandle(pointer: handle)
        let subject = "\(stream).\(durableName)"
        let fetched = try await fetchThread.run { () throws(BusError) -> [UnsafeHandle] in
            try withExtendedLifetime(self) { () throws(BusError) -> [UnsafeHandle] in
                let deadline = ContinuousClock.now + timeout
                while true {
                    var list = natsMsgList()
                    var errorCode = jsErrCode(rawValue: 0)
                    let status = natsSubscription_Fetch(
                        &list, subscription.pointer, Int32(maxMessages),
                        (deadline - .now).milliseconds, &errorCode)
                    defer { natsMsgList_Destroy(&list) }
                    if status == NATS_TIMEOUT, list.Count == 0 {
                        // The server ends a pull request 10 ms before its timeout with a 408 status.
                        // A 408 long before the deadline belongs to an earlier fetch that gave up
                        // first, which libnats 3.4.1 does not tell apart: fetch again for the rest.
                        if deadline - .now > Self.earlyExpiry { continue }
                        return []
                    }
                    try BusError.check(status, jetStreamCode: errorCode, subject: subject)
                    var messages: [UnsafeHandle] = []
                    for index in 0..<Int(list.Count) {
                        guard let message = list.Msgs[index] else { continue }
                        // Taken out of the list, so natsMsgList_Destroy leaves it to its new owner.
                        list.Msgs[index] = nil
                        messages.append(UnsafeHandle(pointer: message))
                    }
                    return messages
                }
            }
        }
        return fetched.map { JetStreamMessage(taking: $0, consumer: self) }
    }

    /// Time left before a fetch's deadline beyond which a timeout status cannot be its own.
    private static let earlyExpiry: Duration = .milliseconds(50)
}

extension JetStream {
    /// Binds a worker to the durable consumer `durableName` of `stream` (see `ensureConsumer`).
    /// Several workers may bind to one consumer; each message goes to one of them.
    public func pullConsumer(stream: String, durableName: String) async throws -> PullConsumer {
        try await PullConsumer.bind(stream: stream, durableName: durableName, jetStream: self)
    }
}
