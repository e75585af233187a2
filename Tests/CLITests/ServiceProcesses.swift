import Bus
import Foundation
import Logging
import Proto
import ServiceRuntime
import Store
import TestSupport

/// Every ActiveSeg service as the deployment runs it: the built `activeseg-*` executables (beside
/// the test bundle in the build folder) as child processes on the local stack, under a PostgreSQL
/// schema, a subject prefix and an artifact folder of their own, so a test shares nothing with
/// other tests or a running deployment.
struct ServiceProcesses {
    /// The services an experiment needs, in the order they are started.
    static let services = ["ingest", "selector", "stats", "trainer", "scorer", "orchestrator"]

    /// A guard against a hang, generous because the whole suite shares two cores in CI.
    static let timeout: Duration = .seconds(240)

    /// The folder holding the artifacts, the services' logs and the files a test writes.
    let folder: TemporaryFolder
    /// The environment that points a service or the CLI at this deployment.
    let environment: [String: String]

    static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Starts the services (all of them unless `services` names fewer, in their order), waits until
    /// each answers its ping, runs `body`, then stops them and removes the schema, the streams and
    /// the files whether or not `body` failed.
    /// `settings` are added to every service's environment (a dashboard's port, say).
    static func with(
        _ services: [String] = services, settings: [String: String] = [:],
        _ body: (ServiceProcesses) async throws -> Void
    ) async throws {
        let folder = try TemporaryFolder()
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let (schema, prefix) = ("cli_\(token)", "cli\(token)")
        var environment = ProcessInfo.processInfo.environment.merging(settings) { $1 }
        environment["ACTIVESEG_POSTGRES_SCHEMA"] = schema
        environment["ACTIVESEG_SUBJECT_PREFIX"] = prefix
        environment["ACTIVESEG_ARTIFACT_ROOT"] = folder.file("artifacts").path
        environment["ACTIVESEG_LOG_LEVEL"] = "warning"
        environment["ACTIVESEG_CONCURRENCY"] = "1"

        var children: [Process] = []
        var failure: (any Error)?
        do {
            for service in services {
                children.append(try start(service, environment: environment, logs: folder))
            }
            let deployment = ServiceProcesses(folder: folder, environment: environment)
            try await deployment.waitUntilServing(zip(services, children))
            try await body(deployment)
        } catch {
            failure = error
        }
        await stop(children)
        await removeState(schema: schema, prefix: prefix)
        if let failure { throw ServiceFailure(detail: "\(failure)", logs: logs(of: services, in: folder)) }
    }

    private static func start(_ service: String, environment: [String: String], logs: TemporaryFolder) throws -> Process
    {
        let executable = executable("activeseg-\(service)")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw ServiceFailure(
                detail: "no executable \(executable.path)",
                logs: "build it first: swift build --build-tests builds every executable")
        }
        var variables = environment
        variables["ACTIVESEG_INSTANCE"] = "cli-tests-\(service)"
        let log = logs.file("\(service).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw ServiceFailure(detail: "cannot create \(log.path)", logs: "")
        }
        let handle = try FileHandle(forWritingTo: log)
        let child = Process()
        child.executableURL = executable
        child.environment = variables
        child.standardOutput = handle
        child.standardError = handle
        try child.run()
        try handle.close()
        return child
    }

    /// Every service answers `activeseg ping` (the orchestrator only once it leads); a service
    /// that exited instead fails at once.
    private func waitUntilServing(_ children: Zip2Sequence<[String], [Process]>) async throws {
        let (environment, folder) = (environment, folder.url)
        try await within(Self.timeout, "the services to answer their pings") {
            for (service, child) in children {
                while await activeseg(["ping", service, "--timeout", "1"], in: folder, environment: environment).status
                    != .success
                {
                    guard child.isRunning else {
                        throw ServiceFailure(
                            detail: "activeseg-\(service) exited with status \(child.terminationStatus)",
                            logs: "")
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
    }

    /// SIGTERM, as a container stop sends; a child still running after the timeout is killed.
    private static func stop(_ children: [Process]) async {
        for child in children where child.isRunning {
            child.terminate()
        }
        for child in children {
            do {
                try await within(timeout, "activeseg services to stop") {
                    while child.isRunning { try await Task.sleep(for: .milliseconds(50)) }
                }
            } catch {
                kill(child.processIdentifier, SIGKILL)
            }
        }
    }

    /// Drops the schema and deletes the JetStream streams the services created under the prefix.
    private static func removeState(schema: String, prefix: String) async {
        let logger = Logger(label: "activeseg.cli-tests") { _ in SwiftLogNoOpLogHandler() }
        let environment = ProcessInfo.processInfo.environment
        if let configuration = try? PostgresConfiguration(
            environment: environment, applicationName: "activeseg-cli-tests")
        {
            let admin = PostgresClient(configuration: configuration, logger: logger)
            _ = try? await admin.query("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE")
            await admin.shutdown()
        }
        guard let configuration = try? ServiceConfiguration(service: "cli-tests", environment: environment),
            let connection = try? await BusConnection.connect(configuration.bus, logger: logger)
        else { return }
        if let jetStream = try? JetStream(connection: connection) {
            let jobs = JobQueue(TrainerRPC.train, jetStream: jetStream, subjectPrefix: prefix)
            let events = EventStream(jetStream: jetStream, subjectPrefix: prefix)
            for stream in [jobs.jobsStream, jobs.resultsStream, events.name] {
                try? await jetStream.deleteStream(stream)
            }
        }
        await connection.close()
    }

    private static func logs(of services: [String], in folder: TemporaryFolder) -> String {
        services.map { service in
            let text = (try? String(contentsOf: folder.file("\(service).log"), encoding: .utf8)) ?? ""
            return "activeseg-\(service):\n" + text.split(separator: "\n").suffix(20).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// A test against the service processes failed: what failed, with the tail of every service's
/// log, which says why a service did not answer or an experiment failed.
struct ServiceFailure: Error, CustomStringConvertible {
    var detail: String
    var logs: String

    var description: String { "\(detail)\n\(logs)" }
}
