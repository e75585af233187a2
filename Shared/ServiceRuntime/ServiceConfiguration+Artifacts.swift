import Artifacts
import Bus
import Foundation

/// Where a deployment keeps its artifacts (`ACTIVESEG_ARTIFACT_BACKEND`).
public enum ArtifactBackend: String, Sendable, Hashable {
    /// One folder, `ACTIVESEG_ARTIFACT_ROOT`, that every service sees (the local stack, compose).
    case folder
    /// The NATS object-store bucket `ACTIVESEG_ARTIFACT_BUCKET`, with a local cache per process,
    /// so a worker on another host needs nothing but NATS and PostgreSQL.
    case nats
}

extension ServiceConfiguration {
    /// The artifact store this configuration names: every service and the command line open it
    /// here, so they all agree on where artifacts are.
    ///
    /// The `nats` backend makes no server call here: its bucket connects (with the NATS settings
    /// and client name `<ACTIVESEG_NATS_NAME>-artifacts`) and creates the bucket's stream when
    /// missing on first use.
    public func artifactStore() throws -> ArtifactStore {
        switch artifactBackend {
        case .folder:
            return try ArtifactStore(root: URL(fileURLWithPath: artifactRoot, isDirectory: true))
        case .nats:
            var connection = bus
            connection.clientName += "-artifacts"
            return try ArtifactStore(
                bucket: try ObjectBucket(name: artifactBucket, configuration: connection),
                cache: URL(fileURLWithPath: artifactCache, isDirectory: true),
                cacheLimit: Int64(artifactCacheBytes))
        }
    }

    /// The store's place in words, for logs and error messages.
    var artifactLocation: String {
        switch artifactBackend {
        case .folder: "folder \(artifactRoot)"
        case .nats: "nats bucket \(artifactBucket), cache \(artifactCache) (\(artifactCacheBytes) bytes)"
        }
    }
}
