import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Three nats-server processes of the test's own forming one JetStream cluster on free loopback
/// ports, each with its JetStream store in a temporary folder, as `scripts/stack up --cluster`
/// runs them but without authorization. A test may kill a node (SIGKILL, as a crashed machine)
/// to see the others carry on. One task at a time starts and stops it.
///
/// `start` returns once every node answers the JetStream API: the nodes have elected a meta
/// leader, so a stream can be created.
public final class PrivateNATSCluster: @unchecked Sendable {
    public static let nodeCount = 3

    /// Each node's client port, in node order.
    public let ports: [Int]
    private let routePorts: [Int]
    private let folder: URL
    private var processes: [Process?]

    /// Every node's client URL, in node order.
    public var urls: [String] { ports.map { "nats://127.0.0.1:\($0)" } }

    /// The `server_name` of node `index`: what JetStream names a stream's leader by.
    public func serverName(_ index: Int) -> String { "activeseg-test-\(index + 1)" }

    /// What node `index` wrote to standard error.
    public func log(_ index: Int) -> String {
        (try? String(contentsOf: folder.appendingPathComponent("node-\(index + 1).log"), encoding: .utf8)) ?? ""
    }

    public init() throws {
        // Six ports held at once, so no two of them are the same free port.
        let sockets = (0..<2 * Self.nodeCount).map { _ in socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
        defer { sockets.forEach { close($0) } }
        guard sockets.allSatisfy({ $0 >= 0 && LoopbackSocket.bind($0, port: 0) }) else {
            throw POSIXError(.EADDRINUSE)
        }
        let chosen = sockets.map(LoopbackSocket.port(of:))
        ports = Array(chosen.prefix(Self.nodeCount))
        routePorts = Array(chosen.suffix(Self.nodeCount))
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "activeseg-nats-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        processes = Array(repeating: nil, count: Self.nodeCount)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Starts every node and returns once each accepts connections.
    public func start() async throws {
        let routes = routePorts.map { "nats-route://127.0.0.1:\($0)" }.joined(separator: ", ")
        for index in 0..<Self.nodeCount {
            let configuration = """
                listen: 127.0.0.1:\(ports[index])
                server_name: \(serverName(index))
                max_payload: 8MB
                jetstream { store_dir: "\(folder.appendingPathComponent("node-\(index + 1)").path)" }
                cluster {
                    name: activeseg-test
                    listen: 127.0.0.1:\(routePorts[index])
                    routes: [ \(routes) ]
                }
                """
            let file = folder.appendingPathComponent("node-\(index + 1).conf")
            try Data(configuration.utf8).write(to: file)
            let log = folder.appendingPathComponent("node-\(index + 1).log")
            try Data().write(to: log)
            let logHandle = try FileHandle(forWritingTo: log)
            defer { try? logHandle.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["nats-server", "-c", file.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = logHandle
            try process.run()
            processes[index] = process
        }
        for (index, port) in ports.enumerated() {
            var accepted = false
            for _ in 0..<200 {
                accepted = LoopbackSocket.acceptsConnections(port: port)
                guard !accepted, processes[index]?.isRunning == true else { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            guard accepted else { throw ServerDidNotStart(port: port) }
        }
        for port in ports {
            var answered = false
            for _ in 0..<300 {
                answered = Self.jetStreamAnswers(port: port)
                if answered { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            guard answered else { throw ServerDidNotStart(port: port) }
        }
    }

    /// Whether the node on `port` answers `$JS.API.INFO` without an error, asked in the NATS
    /// protocol over a plain socket: this support type needs no NATS client. Waits at most a
    /// second for the answer.
    private static func jetStreamAnswers(port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var wait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = LoopbackSocket.address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return false }
        let request = Array(
            "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB _INBOX.ready 1\r\nPUB $JS.API.INFO _INBOX.ready 0\r\n\r\n"
                .utf8)
        guard send(socketFD, request, request.count, 0) == request.count else { return false }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socketFD, &buffer, buffer.count, 0)
            guard count > 0 else { return false }
            received += buffer.prefix(count)
            let text = String(decoding: received, as: UTF8.self)
            // The answer is a JSON line that names its type first and ends with CRLF; a refusal
            // carries an error after the type.
            guard let answer = text.range(of: "account_info_response"),
                let end = text.range(of: "\r\n", range: answer.upperBound..<text.endIndex)
            else { continue }
            return !text[answer.upperBound..<end.lowerBound].contains("\"error\"")
        }
    }

    /// Kills node `index` at once (SIGKILL): no goodbye to its clients or its peers.
    public func kill(_ index: Int) {
        guard let process = processes[index], process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        processes[index] = nil
    }

    /// A node did not accept connections, or JetStream did not answer on it within 30 s.
    public struct ServerDidNotStart: Error, CustomStringConvertible {
        public var port: Int
        public var description: String { "nats-server cluster node 127.0.0.1:\(port) did not start serving JetStream" }
    }

    /// Terminates every node still running and waits for each to exit.
    public func stop() {
        for case let process? in processes where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        processes = Array(repeating: nil, count: Self.nodeCount)
    }
}
