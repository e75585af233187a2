import CNATS
import Foundation

/// JetStream on one connection: stream and consumer management, acknowledged publishing, and
/// pull consumers.
///
/// Ownership: owns one `jsCtx`, destroyed exactly once in `deinit`; libnats' context retains the
/// connection, and this object also holds the `BusConnection` so the Swift owner outlives it.
/// `@unchecked Sendable`: the handle never changes and libnats guards the context with its own
/// lock.
public final class JetStream: @unchecked Sendable {
    public let connection: BusConnection
    /// How long a JetStream API call (stream/consumer management, publish ack) may take.
    public let apiTimeout: Duration
    private let handle: OpaquePointer

    /// Creates the JetStream context; this makes no server call.
    public init(connection: BusConnection, apiTimeout: Duration = .seconds(5)) throws {
        var options = jsOptions()
        try BusError.check(jsOptions_Init(&options), subject: "$JS.API")
        options.Wait = apiTimeout.milliseconds
        let connectionHandle = connection.handleForJetStream
        var created: OpaquePointer?
        try BusError.check(natsConnection_JetStream(&created, connectionHandle, &options), subject: "$JS.API")
        guard let created else {
            throw BusError(
                code: .other(Int(NATS_ERR.rawValue)), subject: "$JS.API", detail: "no JetStream context returned")
        }
        self.connection = connection
        self.apiTimeout = apiTimeout
        self.handle = created
    }

    deinit {
        let context = UnsafeHandle(pointer: handle)
        BlockingCalls.detach { jsCtx_Destroy(context.pointer) }
    }

    /// Runs `body` with the raw context on a blocking-call thread.
    func blocking<Value: Sendable>(
        _ body: @escaping @Sendable (OpaquePointer) throws(BusError) -> Value
    ) async throws(BusError) -> Value {
        let context = UnsafeHandle(pointer: handle)
        return try await BlockingCalls.run { () throws(BusError) -> Value in
            try withExtendedLifetime(self) { () throws(BusError) -> Value in try body(context.pointer) }
        }
    }

    /// Runs `body` with the raw context on the calling thread, which must be one that may block
    /// (an object bucket's transfer thread).
    func withContext<Value>(_ body: (OpaquePointer) throws -> Value) rethrows -> Value {
        try withExtendedLifetime(self) { try body(handle) }
    }

    /// Creates the stream, or updates it to `configuration` when it exists with other settings.
    /// Settings the server cannot change in place (retention, storage) fail with a JetStream error.
    ///
    /// The replica count is only ever raised: an existing stream with more replicas than
    /// `configuration.replicas` keeps them, so one process started without the cluster's setting
    /// cannot take copies away from every other one.
    @discardableResult
    public func ensureStream(_ configuration: StreamConfiguration) async throws -> StreamState {
        try await blocking { (context) throws(BusError) -> StreamState in
            try Self.addStream(configuration, on: context, updatingExisting: true)
        }
    }

    /// Creates the stream; one that exists is updated to `configuration` (its replica count
    /// raised, never lowered) or, without `updatingExisting`, left as it is. Runs on a thread that
    /// may block.
    static func addStream(
        _ configuration: StreamConfiguration, on context: OpaquePointer, updatingExisting: Bool
    ) throws(BusError) -> StreamState {
        let strings = CStringArena()
        var config = jsStreamConfig()
        try BusError.check(jsStreamConfig_Init(&config), subject: configuration.name)
        config.Name = strings.copy(configuration.name)
        config.Subjects = strings.copy(configuration.subjects)
        config.SubjectsLen = Int32(configuration.subjects.count)
        config.Retention =
            switch configuration.retention {
            case .limits: js_LimitsPolicy
            case .workQueue: js_WorkQueuePolicy
            }
        config.Storage =
            switch configuration.storage {
            case .file: js_FileStorage
            case .memory: js_MemoryStorage
            }
        config.Discard =
            switch configuration.discard {
            case .old: js_DiscardOld
            case .new: js_DiscardNew
            }
        config.AllowRollup = configuration.allowRollup
        config.AllowDirect = configuration.allowDirect
        if let maxAge = configuration.maxAge { config.MaxAge = maxAge.nanoseconds }
        if let maxMessages = configuration.maxMessages { config.MaxMsgs = maxMessages }
        if let window = configuration.duplicateWindow { config.Duplicates = window.nanoseconds }
        config.Replicas = Int64(configuration.replicas)

        var info: UnsafeMutablePointer<jsStreamInfo>?
        var errorCode = jsErrCode(rawValue: 0)
        var status = js_AddStream(&info, context, &config, nil, &errorCode)
        if status != NATS_OK, errorCode == JSStreamNameExistErr {
            errorCode = jsErrCode(rawValue: 0)
            status = js_GetStreamInfo(&info, context, configuration.name, nil, &errorCode)
            if status == NATS_OK, updatingExisting {
                config.Replicas = max(config.Replicas, info?.pointee.Config?.pointee.Replicas ?? 0)
                jsStreamInfo_Destroy(info)
                info = nil
                status = js_UpdateStream(&info, context, &config, nil, &errorCode)
            }
        }
        defer { jsStreamInfo_Destroy(info) }
        try BusError.check(status, jetStreamCode: errorCode, subject: configuration.name)
        return StreamState(info)
    }

    /// The replica count streams of this connection's deployment are created with
    /// (`ACTIVESEG_NATS_REPLICAS`).
    public var streamReplicas: Int { connection.configuration.streamReplicas }

    public func streamState(_ name: String) async throws -> StreamState {
        try await blocking { (context) throws(BusError) -> StreamState in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var errorCode = jsErrCode(rawValue: 0)
            let status = js_GetStreamInfo(&info, context, name, nil, &errorCode)
            defer { jsStreamInfo_Destroy(info) }
            try BusError.check(status, jetStreamCode: errorCode, subject: name)
            return StreamState(info)
        }
    }

    /// Deletes the stream and everything in it; fails with `.streamNotFound` if there is none.
    public func deleteStream(_ name: String) async throws {
        try await blocking { (context) throws(BusError) in
            var errorCode = jsErrCode(rawValue: 0)
            try BusError.check(js_DeleteStream(context, name, nil, &errorCode), jetStreamCode: errorCode, subject: name)
        }
    }

    /// Creates the durable consumer, or updates it when it exists with other settings.
    public func ensureConsumer(stream: String, _ configuration: ConsumerConfiguration) async throws {
        try await blocking { (context) throws(BusError) in
            let strings = CStringArena()
            var config = jsConsumerConfig()
            try BusError.check(jsConsumerConfig_Init(&config), subject: stream)
            config.Durable = strings.copy(configuration.durableName)
            config.FilterSubject = strings.copy(configuration.filterSubject)
            config.AckPolicy = js_AckExplicit
            if let ackWait = configuration.ackWait { config.AckWait = ackWait.nanoseconds }
            if let maxDeliver = configuration.maxDeliver { config.MaxDeliver = Int64(maxDeliver) }
            if let maxAckPending = configuration.maxAckPending { config.MaxAckPending = Int64(maxAckPending) }

            var info: UnsafeMutablePointer<jsConsumerInfo>?
            var errorCode = jsErrCode(rawValue: 0)
            var status = js_AddConsumer(&info, context, stream, &config, nil, &errorCode)
            if status != NATS_OK, errorCode == JSConsumerNameExistErr {
                errorCode = jsErrCode(rawValue: 0)
                status = js_UpdateConsumer(&info, context, stream, &config, nil, &errorCode)
            }
            jsConsumerInfo_Destroy(info)
            try BusError.check(status, jetStreamCode: errorCode, subject: "\(stream).\(configuration.durableName)")
        }
    }

    /// The durable consumer's backlog: how many jobs wait and how many are being worked on.
    public func consumerState(stream: String, durableName: String) async throws -> ConsumerState {
        try await blocking { (context) throws(BusError) -> ConsumerState in
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            var errorCode = jsErrCode(rawValue: 0)
            let status = js_GetConsumerInfo(&info, context, stream, durableName, nil, &errorCode)
            defer { jsConsumerInfo_Destroy(info) }
            try BusError.check(status, jetStreamCode: errorCode, subject: "\(stream).\(durableName)")
            return ConsumerState(info)
        }
    }

    public func deleteConsumer(stream: String, durableName: String) async throws {
        try await blocking { (context) throws(BusError) in
            var errorCode = jsErrCode(rawValue: 0)
            try BusError.check(
                js_DeleteConsumer(context, stream, durableName, nil, &errorCode),
                jetStreamCode: errorCode, subject: "\(stream).\(durableName)")
        }
    }

    /// Publishes into the stream that captures `subject` and waits for the server's ack.
    ///
    /// With a `messageID` (sent as `Nats-Msg-Id`), a repeat within the stream's duplicate window
    /// is acknowledged with `duplicate == true` and not stored again, so a publisher may retry
    /// after a lost ack. Fails with `.noResponders` when no stream captures `subject`.
    @discardableResult
    public func publish(
        _ payload: Data, to subject: String, headers: BusHeaders = BusHeaders(),
        messageID: String? = nil
    ) async throws -> PublishAck {
        let maxWait = apiTimeout.milliseconds
        return try await blocking { (context) throws(BusError) -> PublishAck in
            try NATSMessage.with(subject: subject, headers: headers, payload: payload) {
                (message) throws(BusError) -> PublishAck in
                let strings = CStringArena()
                var options = jsPubOptions()
                try BusError.check(jsPubOptions_Init(&options), subject: subject)
                options.MaxWait = maxWait
                options.MsgId = strings.copy(messageID)
                var ack: UnsafeMutablePointer<jsPubAck>?
                var errorCode = jsErrCode(rawValue: 0)
                let status = js_PublishMsg(&ack, context, message, &options, &errorCode)
                defer { jsPubAck_Destroy(ack) }
                try BusError.check(status, jetStreamCode: errorCode, subject: subject)
                guard let ack else {
                    throw BusError(
                        code: .other(Int(NATS_ERR.rawValue)), subject: subject, detail: "publish returned no ack")
                }
                return PublishAck(
                    stream: ack.pointee.Stream.map { String(cString: $0) } ?? "",
                    sequence: ack.pointee.Sequence, duplicate: ack.pointee.Duplicate)
            }
        }
    }
}

extension StreamState {
    fileprivate init(_ info: UnsafeMutablePointer<jsStreamInfo>?) {
        let state = info?.pointee.State
        self.init(
            messages: state?.Msgs ?? 0, bytes: state?.Bytes ?? 0, firstSequence: state?.FirstSeq ?? 0,
            lastSequence: state?.LastSeq ?? 0, consumers: Int(state?.Consumers ?? 0),
            replicas: Int(info?.pointee.Config?.pointee.Replicas ?? 1),
            leader: info?.pointee.Cluster?.pointee.Leader.map { String(cString: $0) })
    }
}
