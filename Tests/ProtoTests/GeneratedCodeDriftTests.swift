import Artifacts
import Foundation
import Proto
import Testing

/// The generated Swift must come from the `.proto` files as they are now; otherwise services would
/// speak a contract nobody can read.
@Suite struct GeneratedCodeDriftTests {
    @Test func generatedCodeMatchesProtoSources() throws {
        let files = try RepositoryLayout.protoFiles()
        #expect(!files.isEmpty, "no .proto files under \(RepositoryLayout.protos.path)")

        // The same bytes scripts/gen-protos hashes: each relative path, NUL, contents, NUL.
        var hasher = SHA256Hasher()
        for file in files {
            hasher.update(Data(file.utf8))
            hasher.update(Data([0]))
            hasher.update(try RepositoryLayout.contents(ofProto: file))
            hasher.update(Data([0]))
        }
        let checksum = hasher.finalize()

        #expect(
            checksum == ProtoContracts.sourceSHA256,
            """
            Protos/ changed since Shared/Proto/Generated was generated \
            (sources \(checksum), generated from \(ProtoContracts.sourceSHA256)); \
            run scripts/gen-protos and commit the result
            """
        )
    }
}
