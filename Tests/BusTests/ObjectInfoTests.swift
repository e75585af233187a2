import Bus
import Foundation
import Testing

/// The object info other NATS clients write decodes, and what ActiveSeg writes keeps their names.
@Suite struct ObjectInfoTests {
    /// The meta message nats-py 2.16.0 wrote for `put("x", b"a" * 300000)` (scripts/vectors/object_store_interop.py
    /// runs the same client against the product).
    static let writtenByNATSPy = Data(
        #"""
        {"name": "x", "bucket": "probe", "nuid": "0stCSQIBr5VsFUYMtYXIFj", "size": 300000,
         "mtime": "2026-12-07T22:06:45.848906+00:00", "chunks": 3,
         "digest": "SHA-256=EuG5sXmymk9-WImxhdescb_wrR9Jp7OR0JEbc3oPU4E=", "deleted": false,
         "options": {"max_chunk_size": 131072}}
        """#.utf8)

    @Test func infoWrittenByNATSPyDecodes() throws {
        let info = try JSONDecoder().decode(ObjectInfo.self, from: Self.writtenByNATSPy)
        #expect(info.name == "x")
        #expect(info.bucket == "probe")
        #expect(info.nuid == "0stCSQIBr5VsFUYMtYXIFj")
        #expect(info.size == 300_000)
        #expect(info.chunks == 3)
        #expect(!info.deleted)
        #expect(info.options?.maxChunkSize == 131_072)
        // hashlib.sha256(b"a" * 300000).hexdigest()
        let hex = info.sha256?.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "12e1b9b179b29a4f7e5889b185d7ac71bff0ad1f49a7b391d0911b737a0f5381")
    }

    @Test func deletionMarkerWithoutDigestDecodes() throws {
        let marker = Data(
            #"{"name":"x","bucket":"probe","nuid":"0stCSQIBr5VsFUYMtYXIFj","size":0,"mtime":"2026-12-07T22:07:00Z","chunks":0,"deleted":true}"#
                .utf8)
        let info = try JSONDecoder().decode(ObjectInfo.self, from: marker)
        #expect(info.deleted)
        #expect(info.digest == nil)
        #expect(info.sha256 == nil)
    }

    @Test func encodingLeavesOutWhatTheGoClientLeavesOut() throws {
        let info = ObjectInfo(
            name: "x", bucket: "probe", nuid: "N", size: 1, mtime: "2026-12-07T22:06:45.848Z", chunks: 1,
            digest: ObjectInfo.digest(sha256: Data([0xfb, 0xff])))
        let fields = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(info)) as? [String: Any])
        #expect(Set(fields.keys) == ["name", "bucket", "nuid", "size", "mtime", "chunks", "digest"])
        #expect(fields["digest"] as? String == "SHA-256=-_8=", "base64url with padding")
    }
}
