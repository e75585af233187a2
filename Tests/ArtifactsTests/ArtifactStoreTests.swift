import Artifacts
import Foundation
import Testing

@Suite struct ArtifactStoreTests {
    /// Runs `body` with a store in a fresh temporary folder, removed afterwards.
    func withStore(_ body: (ArtifactStore) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("activeseg-artifacts-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(try ArtifactStore(root: root))
    }

    /// Every regular file under the root, as paths relative to it.
    func files(in store: ArtifactStore) throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: store.root.path))
        return enumerator.compactMap { $0 as? String }.filter { path in
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: store.root.appendingPathComponent(path).path, isDirectory: &isFolder)
            return exists && !isFolder.boolValue
        }.sorted()
    }

    /// 300 kB spanning several read chunks; computed, not stored, so no process-lifetime buffer
    /// shows up in leak checks.
    static var payload: Data { Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }) }
    /// SHA-256 of ``payload``, computed independently with Python's `hashlib`.
    static let payloadSHA256 = "1bb182f649a789fda17412a4839e9d5dd50b4068089bc334655f78e6db797370"

    @Test func putThenGetReturnsTheBytes() async throws {
        try await withStore { store in
            let id = try store.put(Self.payload)
            #expect(id.sha256 == Self.payloadSHA256)
            #expect(store.exists(id))
            #expect(try store.get(id) == Self.payload)
            #expect(try files(in: store) == ["\(id.sha256.prefix(2))/\(id.sha256)"])
        }
    }

    @Test func putTwiceKeepsOneFile() async throws {
        try await withStore { store in
            let first = try store.put(Self.payload)
            let second = try store.put(Self.payload)
            #expect(first == second)
            #expect(try files(in: store).count == 1)
        }
    }

    @Test func fileAndStreamPutsMatchDataPut() async throws {
        try await withStore { store in
            let source = store.root.appendingPathComponent("source.bin")
            try Self.payload.write(to: source)
            let fromFile = try store.put(contentsOf: source)
            try FileManager.default.removeItem(at: source)
            let chunks = AsyncStream<Data> { continuation in
                var offset = 0
                while offset < Self.payload.count {
                    continuation.yield(Self.payload[offset..<min(offset + 65_536, Self.payload.count)])
                    offset += 65_536
                }
                continuation.finish()
            }
            let fromStream = try await store.put(chunks)
            #expect(fromFile.sha256 == Self.payloadSHA256)
            #expect(fromStream == fromFile)
            #expect(try files(in: store).count == 1)
        }
    }

    @Test func flippedByteIsDetected() async throws {
        try await withStore { store in
            let id = try store.put(Self.payload)
            let path = try store.path(for: id, verify: false)
            var bytes = try Data(contentsOf: path)
            bytes[123_456] ^= 0x01
            try bytes.write(to: path)

            let onGet = #expect(throws: ArtifactError.self) { try store.get(id) }
            #expect(onGet?.code == .corrupted)
            #expect(onGet?.id == id)
            let onPath = #expect(throws: ArtifactError.self) { try store.path(for: id) }
            #expect(onPath?.code == .corrupted)

            try store.put(Self.payload)
            #expect(try store.get(id) == Self.payload)
        }
    }

    @Test func noTemporaryFilesRemain() async throws {
        try await withStore { store in
            try store.put(Data("small".utf8))
            try store.put(Data())
            let failing = AsyncThrowingStream<Data, any Error> { continuation in
                continuation.yield(Data("partial".utf8))
                continuation.finish(throwing: CancellationError())
            }
            await #expect(throws: CancellationError.self) { try await store.put(failing) }
            let names = try files(in: store)
            #expect(names.count == 2)
            #expect(names.allSatisfy { !$0.split(separator: "/").last!.hasPrefix(".") })
        }
    }

    @Test func missingArtifactIsNotFound() async throws {
        try await withStore { store in
            let id = try #require(ArtifactID(sha256: String(repeating: "ab", count: 32)))
            #expect(!store.exists(id))
            let error = #expect(throws: ArtifactError.self) { try store.get(id) }
            #expect(error?.code == .notFound)
            #expect((#expect(throws: ArtifactError.self) { try store.path(for: id, verify: false) })?.code == .notFound)
        }
    }

    @Test(arguments: ["../../etc/passwd", "abc", String(repeating: "g", count: 64), String(repeating: "a", count: 65)])
    func malformedIDsAreRejected(_ text: String) {
        #expect(ArtifactID(sha256: text) == nil)
    }

    @Test func idsAreLowercaseHex() throws {
        let id = try #require(ArtifactID(sha256: String(repeating: "AB", count: 32)))
        #expect(id.sha256 == String(repeating: "ab", count: 32))
    }
}
