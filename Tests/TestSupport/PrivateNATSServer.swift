import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A nats-server process of the test's own, on a free loopback port with JetStream in a
/// temporary folder, so a test can stop and restart it without touching the shared stack. Its
/// streams survive a restart, as a deployment's do. One task at a time starts and stops it.
///
/// Given a deployment's configuration file, the server runs with that file's users and
/// permissions instead of none: its port, monitoring port and JetStream folder are replaced by the
/// test's own, and `environment` supplies the variables the file reads (the passwords).
public final class PrivateNATSServer: @unchecked Sendable {
    public let port: Int
    private let storeDirectory: URL
    private let configuration: (text: String, environment: [String: String])?
    private var process: Process?

    public var url: String { "nats://127.0.0.1:\(port)" }

    /// What the server wrote to standard error: its log, with every refused publish or subscribe.
    public var log: String {
        (try? String(contentsOf: storeDirectory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    /// - Parameters:
    ///   - configurationFile: a nats-server configuration whose `store_dir` is replaced by a
    ///     temporary folder; nil runs the server without configuration file or authorization.
    ///   - environment: the variables the configuration file resolves from the environment.
    public init(configurationFile: URL? = nil, environment: [String: String] = [:]) throws {
        port = try LoopbackSocket.freePort()
        storeDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "activeseg-nats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true)
        let storePath = storeDirectory.path
        configuration = try configurationFile.map { file in
            let text = try String(contentsOf: file, encoding: .utf8)
            return (text.replacing(/store_dir:\s*"[^"]*"/) { _ in "store_dir: \"\(storePath)\"" }, environment)
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: storeDirectory)
    }

    /// Starts nats-server and returns once it accepts connections.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["nats-server", "-p", String(port), "-a", "127.0.0.1", "-js"]
        if let configuration {
            let file = storeDirectory.appendingPathComponent("nats.conf")
            try Data(configuration.text.utf8).write(to: file)
            process.arguments! += ["-c", file.path, "-m", String(try LoopbackSocket.freePort())]
            process.environment = ProcessInfo.processInfo.environment.merging(configuration.environment) { $1 }
        } else {
            process.arguments! += ["-sd", storeDirectory.path]
        }
        let log = storeDirectory.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: log.path) { try Data().write(to: log) }
        let logHandle = try FileHandle(forWritingTo: log)
        try logHandle.seekToEnd()
        defer { try? logHandle.close() }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = logHandle
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if LoopbackSocket.acceptsConnections(port: port) { return }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw ServerDidNotStart(port: port)
    }

    /// Terminates the server and waits for it to exit.
    public func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    public struct ServerDidNotStart: Error, CustomStringConvertible {
        public var port: Int
        public var description: String { "nats-server did not accept connections on 127.0.0.1:\(port)" }
    }
}
