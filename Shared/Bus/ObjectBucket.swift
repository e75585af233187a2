import CNATS
import Foundation
import Logging
import Synchronization

/// A bucket of the NATS object store, in the layout the NATS clients share (ADR-20), written over
/// libnats' JetStream API (libnats 3.4 has no object-store API of its own):
///
/// - the stream `OBJ_<bucket>` holds `$O.<bucket>.C.>` and `$O.<bucket>.M.>`, refuses new messages
///   when full (a partial object is worse than none), and allows rollups and direct gets;
/// - an object's bytes are messages of at most ``chunkSize`` on `$O.<bucket>.C.<nuid>`, a subject
///   new for every put;
/// - its ``ObjectInfo`` is the last message on `$O.<bucket>.M.<base64url(name)>`, published with
///   `Nats-Rollup: sub` so the stream keeps only the latest.
///
/// A reader gets the meta message by the last-message API and the chunks through an ephemeral pull
/// consumer on the chunk subject, two chunks per fetch, so neither side holds more than a chunk or
/// two in memory.
///
/// The bucket has a NATS connection of its own, made on first use: bulk transfers then never queue
/// ahead of a service's requests and heartbeats on its main connection. Its calls are synchronous
/// and the calling thread waits, as it would for a disk; every libnats call runs on the bucket's
/// transfer threads, never on Swift's cooperative pool.
public final class ObjectBucket: Sendable {
    public let name: String
    /// The connection settings of the bucket's own connection.
    public let configuration: BusConfiguration
    /// How long one JetStream call (a publish ack, a fetch of a few chunks) may take.
    public let apiTimeout: Duration

    /// The chunk size of the NATS clients.
    public static let chunkSize = 128 * 1024
    /// Chunks asked for by one fetch, so a download holds at most two chunks (256 KiB) at once.
    /// Larger fetches trade memory for speed: a 50 MB download ran at 121–196 MB/s with 2 (20 runs)
    /// and 182–234 MB/s with 8 chunks per fetch (5 runs; release build, `artifact-benchmark 5 50`,
    /// 2026-12-07, docs/deployment.md).
    static let chunksPerFetch = 2

    private let session = Mutex<Session?>(nil)
    private let transfers: BlockingThreadPool

    private final class Session: Sendable {
        let connection: BusConnection
        let jetStream: JetStream

        init(connection: BusConnection, jetStream: JetStream) {
            self.connection = connection
            self.jetStream = jetStream
        }
    }

    /// Names a bucket; connects on first use, and creates the bucket's stream if it is missing.
    /// `name` takes letters, digits, `-` and `_`, as the NATS clients require.
    public init(name: String, configuration: BusConfiguration, apiTimeout: Duration = .seconds(5)) throws(BusError) {
        guard Self.isValidName(name) else {
            throw BusError(
                code: .invalidConfiguration, subject: name,
                detail: "an object-store bucket name takes letters, digits, '-' and '_'")
        }
        self.name = name
        self.configuration = configuration
        self.apiTimeout = apiTimeout
        transfers = BlockingThreadPool(name: "activeseg.bus.objects.\(name)", maxThreads: 16)
    }

    deinit { transfers.shutDown() }

    public var streamName: String { "OBJ_\(name)" }

    /// The subject of the meta message of the object `object`.
    public func metaSubject(_ object: String) -> String {
        "$O.\(name).M.\(ObjectInfo.base64URL(Data(object.utf8)))"
    }

    /// The subject of the chunks put under `nuid`.
    public func chunkSubject(_ nuid: String) -> String { "$O.\(name).C.\(nuid)" }

    // MARK: - Reading

    /// The object's description; nil when there is none or it was deleted. A meta message that
    /// does not decode fails with `.malformedMessage`.
    public func info(_ object: String) throws -> ObjectInfo? {
        try run { context in try self.lastInfo(object, on: context)?.info }.flatMap { $0.deleted ? nil : $0 }
    }

    /// Hands the object's chunks, in order, to `receive`. Fails with `.malformedMessage` when the
    /// chunks do not add up to the description (a chunk missing, or sizes that differ), and with
    /// whatever `receive` throws.
    public func read(_ info: ObjectInfo, into receive: (Data) throws -> Void) throws {
        try run { context in try self.readChunks(info, on: context, into: receive) }
    }

    // MARK: - Writing

    /// Stores the bytes `next` yields, each call at most `maxBytes` (one chunk), until it yields
    /// nil; then `naming` names the object and gives the SHA-256 of the bytes.
    ///
    /// An object of that name with the same digest is kept and the new chunks purged, so a
    /// content-addressed writer stores each content once, also when two write it at once. One with
    /// another digest (or a deleted one) is replaced and its chunks purged. A put that fails
    /// purges the chunks it published.
    @discardableResult
    public func put(
        reading next: (_ maxBytes: Int) throws -> Data?, naming: () throws -> (name: String, sha256: Data)
    ) throws -> ObjectInfo {
        try run { context in
            let nuid = Self.makeNUID()
            let subject = self.chunkSubject(nuid)
            do {
                var size: UInt64 = 0
                var chunks: UInt32 = 0
                while let chunk = try next(Self.chunkSize) {
                    guard !chunk.isEmpty else { continue }
                    try self.publishChunk(chunk, to: subject, on: context)
                    size += UInt64(chunk.count)
                    chunks += 1
                }
                let (object, sha256) = try naming()
                let info = ObjectInfo(
                    name: object, bucket: self.name, nuid: nuid, size: size, mtime: Self.now(), chunks: chunks,
                    digest: ObjectInfo.digest(sha256: sha256),
                    options: ObjectInfo.Options(maxChunkSize: UInt32(Self.chunkSize)))
                return try self.commit(info, on: context)
            } catch {
                try? self.purge(subject, on: context)
                throw error
            }
        }
    }

    // MARK: - The protocol

    /// Publishes the meta message unless the same content is already stored under the name;
    /// `Nats-Expected-Last-Subject-Sequence` makes a concurrent writer of the same name retry.
    private func commit(_ info: ObjectInfo, on context: OpaquePointer) throws -> ObjectInfo {
        let subject = metaSubject(info.name)
        for _ in 0..<Self.commitAttempts {
            let existing = try lastInfo(info.name, on: context)
            if let stored = existing?.info, !stored.deleted, stored.digest == info.digest {
                try purge(chunkSubject(info.nuid), on: context)
                return stored
            }
            let body: Data
            do {
                body = try JSONEncoder().encode(info)
            } catch {
                throw BusError(
                    code: .malformedMessage, subject: subject, detail: "cannot encode the object info: \(error)")
            }
            let published = try NATSMessage.with(subject: subject, headers: ["Nats-Rollup": "sub"], payload: body) {
                (message) throws(BusError) -> Bool in
                var options = jsPubOptions()
                try BusError.check(jsPubOptions_Init(&options), subject: subject)
                options.MaxWait = apiTimeout.milliseconds
                if let sequence = existing?.sequence {
                    options.ExpectLastSubjectSeq = sequence
                } else {
                    options.ExpectNoMessage = true
                }
                var ack: UnsafeMutablePointer<jsPubAck>?
                var errorCode = jsErrCode(rawValue: 0)
                let status = js_PublishMsg(&ack, context, message, &options, &errorCode)
                jsPubAck_Destroy(ack)
                if status != NATS_OK, errorCode == JSStreamWrongLastSequenceErr { return false }
                try BusError.check(status, jetStreamCode: errorCode, subject: subject)
                return true
            }
            guard published else { continue }
            if let stored = existing?.info, !stored.deleted, !stored.nuid.isEmpty, stored.nuid != info.nuid {
                try purge(chunkSubject(stored.nuid), on: context)
            }
            return info
        }
        throw BusError(
            code: .timeout, subject: subject,
            detail: "the object changed under every one of \(Self.commitAttempts) attempts to store it")
    }

    private static let commitAttempts = 5

    /// The last meta message of `object` and its stream sequence; nil when there is none.
    private func lastInfo(
        _ object: String, on context: OpaquePointer
    ) throws(BusError) -> (
        info: ObjectInfo, sequence: UInt64
    )? {
        let subject = metaSubject(object)
        var message: OpaquePointer?
        var errorCode = jsErrCode(rawValue: 0)
        let status = js_GetLastMsg(&message, context, streamName, subject, nil, &errorCode)
        if status != NATS_OK, errorCode == JSNoMessageFoundErr { return nil }
        try BusError.check(status, jetStreamCode: errorCode, subject: subject)
        guard let message else { return nil }
        defer { natsMsg_Destroy(message) }
        let sequence = natsMsg_GetSequence(message)
        let body = NATSMessage.payload(of: message)
        do {
            return (try JSONDecoder().decode(ObjectInfo.self, from: body), sequence)
        } catch {
            throw BusError(
                code: .malformedMessage, subject: subject, detail: "the object info does not decode: \(error)")
        }
    }

    private func publishChunk(_ chunk: Data, to subject: String, on context: OpaquePointer) throws(BusError) {
        var options = jsPubOptions()
        try BusError.check(jsPubOptions_Init(&options), subject: subject)
        options.MaxWait = apiTimeout.milliseconds
        var ack: UnsafeMutablePointer<jsPubAck>?
        var errorCode = jsErrCode(rawValue: 0)
        let status = chunk.withUnsafeBytes { bytes in
            js_Publish(&ack, context, subject, bytes.baseAddress, Int32(bytes.count), &options, &errorCode)
        }
        jsPubAck_Destroy(ack)
        try BusError.check(status, jetStreamCode: errorCode, subject: subject)
    }

    private func readChunks(_ info: ObjectInfo, on context: OpaquePointer, into receive: (Data) throws -> Void) throws {
        let subject = chunkSubject(info.nuid)
        guard info.chunks > 0 else {
            guard info.size == 0 else {
                throw BusError(
                    code: .malformedMessage, subject: subject, detail: "\(info.size) bytes in no chunks")
            }
            return
        }
        let strings = CStringArena()
        var options = jsSubOptions()
        try BusError.check(jsSubOptions_Init(&options), subject: subject)
        options.Stream = strings.copy(streamName)
        options.Config.DeliverPolicy = js_DeliverAll
        // Acknowledging the last chunk of each fetch acknowledges the fetch, so a large object
        // never reaches the consumer's limit of unacknowledged messages.
        options.Config.AckPolicy = js_AckAll
        // A reader that dies leaves its consumer behind; the server removes it after this.
        options.Config.InactiveThreshold = Duration.seconds(60).nanoseconds
        var created: OpaquePointer?
        var errorCode = jsErrCode(rawValue: 0)
        try BusError.check(
            js_PullSubscribe(&created, context, subject, nil, nil, &options, &errorCode),
            jetStreamCode: errorCode, subject: subject)
        guard let subscription = created else {
            throw BusError(
                code: .other(Int(NATS_ERR.rawValue)), subject: subject, detail: "no pull subscription returned")
        }
        defer {
            natsSubscription_Unsubscribe(subscription)
            natsSubscription_Destroy(subscription)
        }

        var received: UInt32 = 0
        var bytes: UInt64 = 0
        while received < info.chunks {
            let wanted = min(Int(info.chunks - received), Self.chunksPerFetch)
            var list = natsMsgList()
            errorCode = jsErrCode(rawValue: 0)
            let status = natsSubscription_Fetch(
                &list, subscription, Int32(wanted), apiTimeout.milliseconds, &errorCode)
            defer { natsMsgList_Destroy(&list) }
            if status == NATS_TIMEOUT, list.Count == 0 {
                let stored = try storedMessages(on: subject, on: context)
                guard stored >= info.chunks else {
                    throw BusError(
                        code: .malformedMessage, subject: subject,
                        detail: "the info of '\(info.name)' gives \(info.chunks) chunks, the bucket holds \(stored)")
                }
                throw BusError(
                    code: .timeout, subject: subject,
                    detail:
                        "\(received) of \(info.chunks) chunks of '\(info.name)' arrived, then none for \(apiTimeout)")
            }
            try BusError.check(status, jetStreamCode: errorCode, subject: subject)
            for index in 0..<Int(list.Count) {
                guard let message = list.Msgs[index] else { continue }
                let chunk = NATSMessage.payload(of: message)
                bytes += UInt64(chunk.count)
                guard bytes <= info.size else { break }
                try receive(chunk)
                received += 1
                if index == Int(list.Count) - 1 { natsMsg_Ack(message, nil) }
            }
            guard bytes <= info.size else { break }
        }
        guard bytes == info.size else {
            throw BusError(
                code: .malformedMessage, subject: subject,
                detail: "the chunks of '\(info.name)' hold more than the \(info.size) bytes its info gives")
        }
    }

    /// How many messages the stream holds on `subject`: tells chunks that are missing from
    /// chunks that are late.
    private func storedMessages(on subject: String, on context: OpaquePointer) throws(BusError) -> UInt64 {
        let strings = CStringArena()
        var options = jsOptions()
        try BusError.check(jsOptions_Init(&options), subject: subject)
        options.Stream.Info.SubjectsFilter = strings.copy(subject)
        var info: UnsafeMutablePointer<jsStreamInfo>?
        var errorCode = jsErrCode(rawValue: 0)
        let status = js_GetStreamInfo(&info, context, streamName, &options, &errorCode)
        defer { jsStreamInfo_Destroy(info) }
        try BusError.check(status, jetStreamCode: errorCode, subject: subject)
        guard let subjects = info?.pointee.State.Subjects else { return 0 }
        return (0..<Int(subjects.pointee.Count)).reduce(0) { $0 + subjects.pointee.List[$1].Msgs }
    }

    private func purge(_ subject: String, on context: OpaquePointer) throws(BusError) {
        let strings = CStringArena()
        var options = jsOptions()
        try BusError.check(jsOptions_Init(&options), subject: subject)
        options.Stream.Purge.Subject = strings.copy(subject)
        var errorCode = jsErrCode(rawValue: 0)
        try BusError.check(
            js_PurgeStream(context, streamName, &options, &errorCode), jetStreamCode: errorCode, subject: subject)
    }

    // MARK: - Threads and the connection

    /// Runs `body` with the JetStream context on a transfer thread while the caller waits,
    /// connecting (and creating the bucket's stream) first when no connection is open.
    private func run<Value>(_ body: (OpaquePointer) throws -> Value) throws -> Value {
        try transfers.wait {
            let jetStream = try session.withLock { (session) throws -> JetStream in
                if let open = session, !open.connection.isClosed { return open.jetStream }
                let connection = try BusConnection.connectHere(
                    configuration, logger: Logger(label: "activeseg.bus.objects"))
                let jetStream = try JetStream(connection: connection, apiTimeout: apiTimeout)
                _ = try jetStream.withContext { context in
                    try JetStream.addStream(streamConfiguration, on: context, updatingExisting: false)
                }
                session = Session(connection: connection, jetStream: jetStream)
                return jetStream
            }
            return try jetStream.withContext(body)
        }
    }

    /// The stream the NATS clients create for a bucket, with the deployment's replica count; an
    /// existing one is used as it is.
    private var streamConfiguration: StreamConfiguration {
        StreamConfiguration(
            name: streamName, subjects: ["$O.\(name).C.>", "$O.\(name).M.>"], discard: .new, allowRollup: true,
            allowDirect: true, replicas: configuration.streamReplicas)
    }

    /// Whether `name` may name a bucket: letters, digits, `-` and `_` (ASCII), as the NATS
    /// clients require.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_")
            }
    }

    /// A new 22-character base-62 token, as unique as the NATS clients' NUIDs.
    static func makeNUID() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<22).map { _ in alphabet[Int(generator.next(upperBound: UInt8(alphabet.count)))] })
    }

    private static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
