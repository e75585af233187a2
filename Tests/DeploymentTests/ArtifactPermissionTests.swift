import Artifacts
import Bus
import Foundation
import TestSupport
import Testing

/// deploy/nats/nats.conf with the artifacts in NATS (`ACTIVESEG_ARTIFACT_BACKEND=nats`): each user
/// whose service reads or writes artifacts can do so in the deployment's bucket with its own
/// credentials, the dashboard only reads, and the others cannot touch the bucket.
@Suite(.serialized) struct ArtifactPermissionTests {
    /// The bucket deploy/nats/nats.conf grants, the configuration's default.
    static let bucket = "activeseg-artifacts"

    /// A store over the deployment's bucket as `user`, with a cache folder of its own, as that
    /// user's container opens it.
    static func store(as user: String, on nats: DeploymentNATS, in folder: TemporaryFolder) throws -> ArtifactStore {
        try ArtifactStore(
            bucket: try ObjectBucket(
                name: bucket, configuration: nats.configuration(of: user), apiTimeout: .seconds(2)),
            cache: folder.file("cache-\(user)"), cacheLimit: 1 << 30)
    }

    /// What the services do: ingest stores a case, a trainer reads it and stores a checkpoint, a
    /// scorer reads both and stores a picture, and the dashboard and the command line read all
    /// three; every step on a cache of its own, so each read crosses the bucket.
    @Test func eachServiceStoresAndReadsWhatItDoesWithItsOwnCredentials() async throws {
        let nats = try await DeploymentNATS()
        let folder = try TemporaryFolder()
        let volume = Data(repeating: 7, count: 300_000)

        let stored = try Self.store(as: "ingest", on: nats, in: folder).put(volume)
        let trainer = try Self.store(as: "trainer", on: nats, in: folder)
        #expect(try Data(contentsOf: trainer.path(for: stored)) == volume)
        let checkpoint = try trainer.put(Data("checkpoint".utf8))
        let scorer = try Self.store(as: "scorer", on: nats, in: folder)
        #expect(try scorer.get(stored) == volume)
        #expect(try scorer.get(checkpoint) == Data("checkpoint".utf8))
        let picture = try scorer.put(Data("overlay picture".utf8))
        for reader in ["dashboard", "cli"] {
            let store = try Self.store(as: reader, on: nats, in: folder)
            #expect(try store.get(stored) == volume, "\(reader) reads a case")
            #expect(try store.get(checkpoint) == Data("checkpoint".utf8), "\(reader) reads a checkpoint")
            #expect(try store.get(picture) == Data("overlay picture".utf8), "\(reader) reads a picture")
        }
        let cliCheckpoint = try Self.store(as: "cli", on: nats, in: folder).put(Data("checkpoint a person made".utf8))
        #expect(try trainer.get(cliCheckpoint) == Data("checkpoint a person made".utf8))
        #expect(nats.violations.isEmpty, "refused: \(nats.violations)")
    }

    /// The dashboard cannot store an artifact; the services without artifacts cannot read one; and
    /// nobody deletes the bucket's stream.
    @Test func theDashboardOnlyReadsTheOthersCannotReadAndNobodyDeletesTheBucket() async throws {
        let nats = try await DeploymentNATS()
        let folder = try TemporaryFolder()
        let stored = try Self.store(as: "ingest", on: nats, in: folder).put(Data("a case".utf8))

        #expect(throws: ArtifactError.self, "the dashboard stored an artifact") {
            try Self.store(as: "dashboard", on: nats, in: folder).put(Data("forged".utf8))
        }
        for user in ["selector", "stats", "orchestrator"] {
            #expect(throws: (any Error).self, "\(user) read an artifact") {
                try Self.store(as: user, on: nats, in: folder).get(stored)
            }
        }
        try await nats.expectNobodyDeletes("OBJ_\(Self.bucket)")
        #expect(try Self.store(as: "trainer", on: nats, in: folder).get(stored) == Data("a case".utf8))

        let refused = nats.violations
        #expect(
            refused.contains { $0.contains("\"dashboard\"") && $0.contains("$O.\(Self.bucket).C.") },
            "the server did not refuse the dashboard's chunk: \(refused)")
    }
}
