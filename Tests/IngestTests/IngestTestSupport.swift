import Artifacts
import Bus
import Domain
import Foundation
import Logging
import Proto
import ServiceLifecycle
import ServiceRuntime
import Store
import SyntheticData
import Volume

@testable import IngestService

/// An ingest worker on the local stack, isolated from every other test: its own Postgres schema
/// (`search_path`), its own subject prefix (and so its own events stream) and its own artifact root.
struct IngestEnvironment {
    static let logger: Logger = {
        var logger = Logger(label: "activeseg.ingest-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A guard against a hang, generous because the whole suite shares two cores in CI.
    static let timeout: Duration = .seconds(300)

    let prefix: String
    let configuration: ServiceConfiguration
    let postgres: PostgresClient
    let schema: String
    let artifacts: ArtifactStore
    let client: RPCClient
    let events: EventStream
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// Runs `body` against a started worker, then stops it and removes the schema, stream and files.
    static func with(_ body: (IngestEnvironment) async throws -> Void) async throws {
        let environment = try await start()
        var failure: (any Error)?
        do { try await body(environment) } catch { failure = error }
        await environment.tearDown()
        if let failure { throw failure }
    }

    private static func start() async throws -> IngestEnvironment {
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let prefix = "test_\(token)"
        var variables = ProcessInfo.processInfo.environment
        variables["ACTIVESEG_SUBJECT_PREFIX"] = prefix
        variables["ACTIVESEG_INSTANCE"] = "ingest-test"
        variables["ACTIVESEG_CONCURRENCY"] = "2"
        let configuration = try ServiceConfiguration(service: "ingest", environment: variables)

        var postgresConfiguration = try PostgresConfiguration(
            environment: variables, applicationName: "activeseg-ingest-tests")
        postgresConfiguration.schema = "test_\(token)"
        let postgres = PostgresClient(configuration: postgresConfiguration, logger: logger)
        try await postgres.migrate()
        let artifacts = try ArtifactStore(
            root: FileManager.default.temporaryDirectory
                .appendingPathComponent("activeseg-ingest-artifacts-\(token)", isDirectory: true))

        let serverConnection = try await BusConnection.connect(configuration.bus, logger: logger)
        let server = try await buildIngestServer(
            configuration: configuration, connection: serverConnection,
            postgres: postgres, artifacts: artifacts, logger: logger)
        let group = server.serviceGroup()
        let task = Task { try await group.run() }
        let clientConnection = try await BusConnection.connect(configuration.bus, logger: logger)
        let client = RPCClient(connection: clientConnection, subjectPrefix: prefix)
        while (try? await client.call(IngestRPC.ping, HealthPing(), timeout: .seconds(1))) == nil {
            try await Task.sleep(for: .milliseconds(20))
        }
        return IngestEnvironment(
            prefix: prefix, configuration: configuration, postgres: postgres,
            schema: postgresConfiguration.schema!, artifacts: artifacts, client: client,
            events: EventStream(
                jetStream: try JetStream(connection: clientConnection),
                subjectPrefix: prefix),
            group: group, task: task)
    }

    private func tearDown() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        try? await events.jetStream.deleteStream(events.name)
        await client.connection.close()
        await postgres.shutdown()
        if let admin = try? PostgresClient(
            configuration: PostgresConfiguration(environment: ProcessInfo.processInfo.environment), logger: Self.logger)
        {
            _ = try? await admin.query("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
            await admin.shutdown()
        }
        try? FileManager.default.removeItem(at: artifacts.root)
    }

    /// A copy of a stored NIfTI artifact under a `.nii.gz` name (libnifti tells the format by the
    /// file name; the store names files by their hash).
    func niftiCopy(_ sha256: String) throws -> URL {
        guard let id = ArtifactID(sha256: sha256) else {
            throw ArtifactError(code: .notFound, path: sha256, detail: "not an artifact id")
        }
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(sha256)-\(UUID().uuidString).nii.gz")
        try FileManager.default.copyItem(at: artifacts.path(for: id), to: copy)
        return copy
    }

    /// Every file in the artifact store, relative to its root.
    func artifactFiles() throws -> [String] {
        let enumerator = FileManager.default.enumerator(
            at: artifacts.root, includingPropertiesForKeys: [.isRegularFileKey])
        var files: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
                files.append(String(url.path.dropFirst(artifacts.root.path.count)))
            }
        }
        return files.sorted()
    }

    /// Every event stored in this worker's stream, in order, read through a throw-away consumer.
    func storedEvents() async throws -> [JetStreamMessage] {
        let jetStream = events.jetStream
        let durable = "reader_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        try await jetStream.ensureConsumer(stream: events.name, ConsumerConfiguration(durableName: durable))
        let consumer = try await jetStream.pullConsumer(stream: events.name, durableName: durable)
        let expected = try await jetStream.streamState(events.name).messages
        var messages: [JetStreamMessage] = []
        while messages.count < expected {
            let batch = try await consumer.fetch(maxMessages: 64, timeout: .seconds(5))
            for message in batch { try await message.ack() }
            messages += batch
        }
        try await jetStream.deleteConsumer(stream: events.name, durableName: durable)
        return messages
    }
}

/// A small phantom cohort in BraTS layout, plus one case whose T1c file is cut in half.
enum PhantomCohort {
    static let goodCases = 6
    static let brokenCase = "Broken_00001"

    /// The cohort's folder, generated once per test process.
    static func folder() throws -> URL {
        try generated.get()
    }

    private static let generated: Result<URL, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("activeseg-ingest-cohort-\(UUID().uuidString)", isDirectory: true)
        _ = try SyntheticCohort.generate(
            cases: goodCases, seed: 20241126, outputDirectory: folder, anatomy: .phantom,
            spacingScale: 4)
        let source = folder.appendingPathComponent("Synth_00001")
        let broken = folder.appendingPathComponent(brokenCase)
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        for suffix in ["_t1ce", "_t2", "_seg"] {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent("Synth_00001\(suffix).nii.gz"),
                to: broken.appendingPathComponent("\(brokenCase)\(suffix).nii.gz"))
        }
        let t1c = broken.appendingPathComponent("\(brokenCase)_t1ce.nii.gz")
        let bytes = try Data(contentsOf: t1c)
        try bytes.prefix(bytes.count / 2).write(to: t1c)
        return folder
    }

    /// The request that imports the cohort into `dataset` at 4 mm (≈ 32³ voxels per case).
    static func request(dataset: DatasetID) throws -> IngestRequest {
        let path = try folder().path
        return IngestRequest.with {
            $0.requestID = UUID().uuidString
            $0.datasetID = dataset.uuid.uuidString
            $0.brats = BratsFolder.with { $0.path = path }
            $0.preprocessing = PreprocessingConfig.with {
                $0.orientation = "LPS"
                $0.spacingMm = 4
                $0.normalize = true
            }
            $0.splitSeed = 7
        }
    }
}
