import Artifacts
import Foundation
import Logging
import Proto
import ServiceRuntime
import Testing

@Suite("Service configuration")
struct ServiceConfigurationTests {
    @Test func unsetKeysKeepTheDocumentedDefaults() throws {
        let configuration = try ServiceConfiguration(service: "stats", environment: [:])
        #expect(configuration.bus.servers == ["nats://127.0.0.1:4222"])
        #expect(configuration.bus.clientName == "activeseg-stats")
        #expect(configuration.artifactBackend == .folder)
        #expect(configuration.artifactRoot == ServiceConfiguration.defaultArtifactRoot)
        #expect(configuration.artifactBucket == "activeseg-artifacts")
        #expect(configuration.artifactCache == "/var/cache/activeseg/artifacts")
        #expect(configuration.artifactCacheBytes == 8 << 30)
        #expect(configuration.concurrency >= 1)
        #expect(configuration.logLevel == .info)
        #expect(configuration.subject(for: AnyRPCMethod(StatsRPC.analyze)) == "activeseg.v1.stats.analyze")
    }

    @Test func everyKeyIsRead() throws {
        let configuration = try ServiceConfiguration(
            service: "selector",
            environment: [
                "ACTIVESEG_NATS_URL": "nats://a:1, nats://b:2",
                "ACTIVESEG_NATS_USER": "user",
                "ACTIVESEG_NATS_PASSWORD": "secret",
                "ACTIVESEG_ARTIFACT_ROOT": "/data/artifacts",
                "ACTIVESEG_CONCURRENCY": "3",
                "ACTIVESEG_INSTANCE": "selector-7",
                "ACTIVESEG_LOG_LEVEL": "DEBUG",
                "ACTIVESEG_SUBJECT_PREFIX": "staging.eu",
            ])
        #expect(configuration.bus.servers == ["nats://a:1", "nats://b:2"])
        #expect(configuration.bus.credentials == .userPassword(user: "user", password: "secret"))
        #expect(configuration.artifactRoot == "/data/artifacts")
        #expect(configuration.concurrency == 3)
        #expect(configuration.instance == "selector-7")
        #expect(configuration.logLevel == .debug)
        #expect(
            configuration.subject(for: AnyRPCMethod(SelectorRPC.select)) == "staging.eu.activeseg.v1.selector.select")
    }

    @Test func artifactStoreIsTheConfiguredBackend() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("activeseg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onFolder = try ServiceConfiguration(
            service: "trainer", environment: ["ACTIVESEG_ARTIFACT_ROOT": folder.appendingPathComponent("root").path])
        #expect(try onFolder.artifactStore().root.path == folder.appendingPathComponent("root").path)

        let onNATS = try ServiceConfiguration(
            service: "trainer",
            environment: [
                "ACTIVESEG_ARTIFACT_BACKEND": "nats", "ACTIVESEG_ARTIFACT_BUCKET": "team_a-artifacts",
                "ACTIVESEG_ARTIFACT_CACHE": folder.appendingPathComponent("cache").path,
                "ACTIVESEG_ARTIFACT_CACHE_BYTES": "1000000",
            ])
        #expect(onNATS.artifactBackend == .nats)
        #expect(onNATS.artifactBucket == "team_a-artifacts")
        #expect(onNATS.artifactCacheBytes == 1_000_000)
        // Opening makes no server call: the bucket connects on first use.
        let store = try onNATS.artifactStore()
        #expect(store.root.path == folder.appendingPathComponent("cache").path)
        #expect(onNATS.description.contains("artifacts: nats bucket team_a-artifacts"))
    }

    @Test(
        "a value that does not parse names its key",
        arguments: [
            ("ACTIVESEG_CONCURRENCY", "0"), ("ACTIVESEG_CONCURRENCY", "many"), ("ACTIVESEG_CONCURRENCY", "100000"),
            ("ACTIVESEG_LOG_LEVEL", "loud"), ("ACTIVESEG_SUBJECT_PREFIX", "a.*"), ("ACTIVESEG_SUBJECT_PREFIX", "a..b"),
            ("ACTIVESEG_ARTIFACT_BACKEND", "s3"), ("ACTIVESEG_ARTIFACT_BUCKET", "my.bucket"),
            ("ACTIVESEG_ARTIFACT_CACHE_BYTES", "0"), ("ACTIVESEG_ARTIFACT_CACHE_BYTES", "8G"),
        ])
    func invalidValueIsRejected(key: String, value: String) {
        #expect {
            _ = try ServiceConfiguration(service: "selector", environment: [key: value])
        } throws: { error in
            (error as? ServiceConfigurationError)?.key == key
        }
    }
}

@Suite("Service logging")
struct ServiceLoggingTests {
    @Test func descriptionsKeepSecretsOutOfLogLines() throws {
        let configuration = try ServiceConfiguration(
            service: "stats",
            environment: [
                "ACTIVESEG_NATS_URL": "nats://user:url-secret@a:4222",
                "ACTIVESEG_NATS_USER": "user", "ACTIVESEG_NATS_PASSWORD": "nats-secret",
            ])
        #expect(!configuration.description.contains("secret"))
        #expect(configuration.description.contains("nats: nats://user:***@a:4222"))
        #expect(configuration.description.contains("stats"))
    }

    @Test func loggersCarryTheMetadataConventions() throws {
        let configuration = try ServiceConfiguration(service: "scorer", environment: ["ACTIVESEG_INSTANCE": "w1"])
        let logger = ServiceLogging.logger(configuration).with(experiment: "exp-1", round: 3, caseID: "case-9")
        #expect(logger[metadataKey: "service"] == "scorer")
        #expect(logger[metadataKey: "instance"] == "w1")
        #expect(logger[metadataKey: "experiment"] == "exp-1")
        #expect(logger[metadataKey: "round"] == "3")
        #expect(logger[metadataKey: "case.id"] == "case-9")
        #expect(logger.with(round: 4)[metadataKey: "experiment"] == "exp-1")
    }
}
