import Artifacts
import Bus
import Foundation
import Logging
import TestSupport
import Testing

/// The artifact store over a NATS object-store bucket, against a nats-server of the test's own.
@Suite struct ObjectStoreArtifactTests {
    /// A nats-server with JetStream, one bucket, and a connection for looking at the stream
    /// directly; `store(cacheLimit:)` opens a "host": a store with a cache folder of its own.
    final class Deployment: @unchecked Sendable {
        let server: PrivateNATSServer
        let folder: TemporaryFolder
        let bucketName = "test-artifacts"
        let jetStream: JetStream

        static let logger: Logger = {
            var logger = Logger(label: "activeseg.artifacts-tests")
            logger.logLevel = .warning
            return logger
        }()

        private init(server: PrivateNATSServer, folder: TemporaryFolder, jetStream: JetStream) {
            self.server = server
            self.folder = folder
            self.jetStream = jetStream
        }

        static func start() async throws -> Deployment {
            let server = try PrivateNATSServer()
            try await server.start()
            let connection = try await BusConnection.connect(
                BusConfiguration(servers: [server.url], clientName: "artifacts-tests"), logger: logger)
            return Deployment(
                server: server, folder: try TemporaryFolder(), jetStream: try JetStream(connection: connection))
        }

        func bucket(apiTimeout: Duration = .seconds(5)) throws -> ObjectBucket {
            try ObjectBucket(
                name: bucketName,
                configuration: BusConfiguration(servers: [server.url], clientName: "artifacts-tests-bucket"),
                apiTimeout: apiTimeout)
        }

        /// A store on a new cache folder (a new host), with a connection of its own.
        func store(cacheLimit: Int64 = 1 << 30, apiTimeout: Duration = .seconds(5)) throws -> ArtifactStore {
            try ArtifactStore(
                bucket: try bucket(apiTimeout: apiTimeout), cache: folder.file("cache-\(UUID().uuidString)"),
                cacheLimit: cacheLimit)
        }

        /// The last of the `count` messages stored on `subject`, read with a consumer of its own.
        func lastMessage(on subject: String, count: Int = 1) async throws -> JetStreamMessage {
            let durableName = "probe\(UUID().uuidString.prefix(8))"
            let stream = "OBJ_\(bucketName)"
            try await jetStream.ensureConsumer(
                stream: stream, ConsumerConfiguration(durableName: durableName, filterSubject: subject))
            let consumer = try await jetStream.pullConsumer(stream: stream, durableName: durableName)
            let messages = try await consumer.fetch(maxMessages: count, timeout: .seconds(5))
            #expect(messages.count == count)
            return try #require(messages.last)
        }
    }

    /// Cached artifact files (`<aa>/<sha256>`) and anything else left in a store's folder.
    func files(in store: ArtifactStore) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: store.root.path)
        return (enumerator?.allObjects as? [String] ?? []).filter { path in
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: store.root.appendingPathComponent(path).path, isDirectory: &isFolder)
            return !isFolder.boolValue
        }.sorted()
    }

    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    @Test func multiChunkArtifactRoundTripsBetweenHosts() async throws {
        let deployment = try await Deployment.start()
        let writer = try deployment.store()
        let reader = try deployment.store()
        let bytes = Self.randomBytes(1_300_000)
        let source = deployment.folder.file("source.bin")
        try bytes.write(to: source)

        let id = try writer.put(contentsOf: source)
        #expect(id.sha256 == SHA256Hasher.hex(of: bytes))
        #expect(files(in: writer) == ["\(id.sha256.prefix(2))/\(id.sha256)"], "a put writes through the cache")
        #expect(files(in: reader).isEmpty)
        #expect(reader.exists(id))

        let path = try reader.path(for: id)
        #expect(try Data(contentsOf: path) == bytes)
        #expect(path.path.hasPrefix(reader.root.path))
        #expect(files(in: reader) == ["\(id.sha256.prefix(2))/\(id.sha256)"])
        #expect(try reader.get(id) == bytes)
        #expect(try writer.get(id) == bytes)

        let info = try #require(try deployment.bucket().info(id.sha256))
        #expect(info.size == 1_300_000)
        #expect(info.chunks == 10, "1.3 MB in 128 KiB chunks")
    }

    @Test func hostsSeeEachOthersArtifactsWithoutASharedFolder() async throws {
        let deployment = try await Deployment.start()
        let first = try deployment.store()
        let second = try deployment.store()
        #expect(first.root != second.root)

        let fromFirst = try first.put(Data("written on the first host".utf8))
        let fromSecond = try await second.put(
            AsyncStream { continuation in
                continuation.yield(Data("written on the second host, ".utf8))
                continuation.yield(Data("in two pieces".utf8))
                continuation.finish()
            })
        #expect(try second.get(fromFirst) == Data("written on the first host".utf8))
        #expect(try first.get(fromSecond) == Data("written on the second host, in two pieces".utf8))
    }

    @Test func identicalContentIsStoredOnce() async throws {
        let deployment = try await Deployment.start()
        let bytes = Self.randomBytes(300_000)
        let first = try deployment.store().put(bytes)
        let second = try deployment.store().put(bytes)
        #expect(first == second)
        let state = try await deployment.jetStream.streamState("OBJ_\(deployment.bucketName)")
        #expect(state.messages == 3 + 1, "three chunks and one meta message; the repeat's chunks purged")
    }

    @Test func metaMessageIsTheNATSObjectInfo() async throws {
        let deployment = try await Deployment.start()
        let store = try deployment.store()
        let payload = ArtifactStoreTests.payload
        let id = try store.put(payload)

        // Subject and digest from Python's base64.urlsafe_b64encode of the name and of the digest.
        let subject =
            "$O.test-artifacts.M."
            + "MWJiMTgyZjY0OWE3ODlmZGExNzQxMmE0ODM5ZTlkNWRkNTBiNDA2ODA4OWJjMzM0NjU1Zjc4ZTZkYjc5NzM3MA=="
        #expect(try deployment.bucket().metaSubject(id.sha256) == subject)
        let message = try await deployment.lastMessage(on: subject)
        #expect(message.headers["Nats-Rollup"] == "sub")
        let fields = try #require(try JSONSerialization.jsonObject(with: message.payload) as? [String: Any])
        #expect(Set(fields.keys) == ["name", "bucket", "nuid", "size", "mtime", "chunks", "digest", "options"])
        #expect(fields["name"] as? String == ArtifactStoreTests.payloadSHA256)
        #expect(fields["bucket"] as? String == "test-artifacts")
        #expect(fields["size"] as? Int == 300_000)
        #expect(fields["chunks"] as? Int == 3)
        #expect(fields["digest"] as? String == "SHA-256=G7GC9kmnif2hdBKkg56dXdULQGgIm8M0ZV945tt5c3A=")
        #expect((fields["options"] as? [String: Any])?["max_chunk_size"] as? Int == 131_072)
        let nuid = try #require(fields["nuid"] as? String)
        #expect(nuid.count == 22)
        let mtime = try #require(fields["mtime"] as? String)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(formatter.date(from: mtime) != nil, "mtime \(mtime) is RFC 3339")

        let chunk = try await deployment.lastMessage(on: "$O.test-artifacts.C.\(nuid)", count: 3)
        #expect(chunk.payload == payload.suffix(300_000 - 2 * 131_072), "the last of three chunks")
    }

    @Test func corruptedChunkIsReportedAndLeavesNoFile() async throws {
        let deployment = try await Deployment.start()
        let bytes = Self.randomBytes(200_000)
        let id = try deployment.store().put(bytes)
        let bucket = try deployment.bucket()
        let stored = try #require(try bucket.info(id.sha256))

        // The same description, pointing at chunks with one byte changed.
        var tampered = bytes
        tampered[150_000] ^= 0xFF
        var forged = stored
        forged.nuid = "TAMPEREDCHUNKS00000000"
        try await deployment.jetStream.publish(tampered.prefix(131_072), to: bucket.chunkSubject(forged.nuid))
        try await deployment.jetStream.publish(tampered.dropFirst(131_072), to: bucket.chunkSubject(forged.nuid))
        try await deployment.jetStream.publish(
            try JSONEncoder().encode(forged), to: bucket.metaSubject(id.sha256), headers: ["Nats-Rollup": "sub"])

        let reader = try deployment.store()
        let error = try #require(throws: ArtifactError.self) { try reader.path(for: id) }
        #expect(error.code == .corrupted)
        #expect(error.id == id)
        #expect(files(in: reader).isEmpty, "the partial download is removed")
        #expect(throws: ArtifactError.self) { try reader.get(id) }
    }

    @Test func corruptedCachedCopyIsDownloadedAgain() async throws {
        let deployment = try await Deployment.start()
        let bytes = Self.randomBytes(200_000)
        let store = try deployment.store()
        let id = try store.put(bytes)
        let cached = try store.path(for: id)
        var damaged = bytes
        damaged[7] ^= 0x01
        try damaged.write(to: cached)

        #expect(try store.get(id) == bytes)
        #expect(try Data(contentsOf: cached) == bytes, "the cached copy is replaced")
        try damaged.write(to: cached)
        #expect(try Data(contentsOf: try store.path(for: id)) == bytes)
    }

    @Test func missingChunkIsCorruption() async throws {
        let deployment = try await Deployment.start()
        let bytes = Self.randomBytes(300_000)
        let id = try deployment.store().put(bytes)
        let bucket = try deployment.bucket()
        var forged = try #require(try bucket.info(id.sha256))
        forged.nuid = "TWOOFTHREECHUNKS000000"
        try await deployment.jetStream.publish(bytes.prefix(131_072), to: bucket.chunkSubject(forged.nuid))
        try await deployment.jetStream.publish(
            bytes.dropFirst(131_072).prefix(131_072), to: bucket.chunkSubject(forged.nuid))
        try await deployment.jetStream.publish(
            try JSONEncoder().encode(forged), to: bucket.metaSubject(id.sha256), headers: ["Nats-Rollup": "sub"])

        // The fetch of the third chunk waits out the API timeout, then the bucket counts the chunks.
        let reader = try deployment.store(apiTimeout: .milliseconds(500))
        let error = try #require(throws: ArtifactError.self) { try reader.path(for: id) }
        #expect(error.code == .corrupted)
        #expect(error.description.contains("gives 3 chunks, the bucket holds 2"))
        #expect(files(in: reader).isEmpty)
    }

    @Test func emptyArtifactRoundTrips() async throws {
        let deployment = try await Deployment.start()
        let id = try deployment.store().put(Data())
        #expect(id.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try deployment.store().get(id) == Data())
        #expect(try deployment.bucket().info(id.sha256)?.chunks == 0)
    }

    @Test func missingArtifactIsNotFound() async throws {
        let deployment = try await Deployment.start()
        let store = try deployment.store()
        let id = try #require(ArtifactID(sha256: String(repeating: "ab", count: 32)))
        #expect(!store.exists(id))
        let error = try #require(throws: ArtifactError.self) { try store.path(for: id) }
        #expect(error.code == .notFound)
        #expect(error.id == id)
        #expect(error.path == "$O.test-artifacts.M.\(ObjectInfo.base64URL(Data(id.sha256.utf8)))")
        #expect(throws: ArtifactError.self) { try store.get(id) }
        #expect(files(in: store).isEmpty)
    }

    @Test func cacheEvictsTheLeastRecentlyUsedBeyondItsLimit() async throws {
        let deployment = try await Deployment.start()
        let writer = try deployment.store()
        let ids = try (0..<3).map { _ in try writer.put(Self.randomBytes(100_000)) }
        let reader = try deployment.store(cacheLimit: 250_000)
        let cached = { (id: ArtifactID) in "\(id.sha256.prefix(2))/\(id.sha256)" }

        _ = try reader.path(for: ids[0])
        _ = try reader.path(for: ids[1])
        _ = try reader.path(for: ids[0])  // now the most recently used
        #expect(files(in: reader) == [cached(ids[0]), cached(ids[1])].sorted())

        _ = try reader.path(for: ids[2])  // 300 kB > 250 kB: the least recently used goes
        #expect(files(in: reader) == [cached(ids[0]), cached(ids[2])].sorted())

        #expect(try reader.get(ids[1]).count == 100_000, "an evicted artifact is downloaded again")
        #expect(files(in: reader).count == 2)
    }

    @Test func unreachableServerIsUnavailable() async throws {
        let deployment = try await Deployment.start()
        let store = try deployment.store()
        deployment.server.stop()
        let error = try #require(throws: ArtifactError.self) { try store.put(Data("no server".utf8)) }
        #expect(error.code == .unavailable)
    }
}
