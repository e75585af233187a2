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
        port = try Self.freeLoopbackPort()
        storeDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("activeseg-nats-\(UUID().uuidString)")
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
            if Self.acceptsConnections(port: port) { return }
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

    private static func freeLoopbackPort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(socketFD) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func acceptsConnections(port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
