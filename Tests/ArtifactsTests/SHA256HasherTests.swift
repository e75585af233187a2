import Artifacts
import Foundation
import Testing

/// The digests of FIPS 180-2's SHA-256 examples (appendix B) and of the empty message.
@Suite struct SHA256HasherTests {
    static let vectors: [(message: String, digest: String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ]

    @Test func digestsMatchTheStandardsExamples() {
        for (message, digest) in Self.vectors {
            #expect(SHA256Hasher.hex(of: Data(message.utf8)) == digest, "message \"\(message)\"")
        }
    }

    @Test func pieceByPieceEqualsAtOnceAndFinalizingStartsOver() {
        let (message, digest) = Self.vectors[2]
        let bytes = Data(message.utf8)
        var hasher = SHA256Hasher()
        for start in stride(from: 0, to: bytes.count, by: 7) {
            hasher.update(bytes[start..<min(bytes.count, start + 7)])
        }
        #expect(hasher.finalize() == digest)
        hasher.update(Data("abc".utf8))
        #expect(hasher.finalize() == Self.vectors[1].digest)
        #expect(hasher.finalize() == Self.vectors[0].digest)
    }
}
