import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A nats-server process of the test's own, on a free loopback port with JetStream in a
/// temporary folder, so a test can stop and restart it without touching the shared stack. Its
/// streams survive a restart, as a deployment's do. One task at a time starts and stops it.
public final class PrivateNATSServer: @unchecked Sendable {
    public let port: Int
    private let storeDirectory: URL
    private var process: Process?

    public var url: String { "nats://127.0.0.1:\(port)" }

    public init() throws {
        port = try LoopbackSocket.freePort()
        storeDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "activeseg-nats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: storeDirectory, withIntermediateDirectories: true)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: storeDirectory)
    }

    /// Starts nats-server and returns once it accepts connections.
    public func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["nats-server", "-p", String(port), "-a", "127.0.0.1", "-js", "-sd", storeDirectory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
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
