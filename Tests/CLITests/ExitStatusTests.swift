import Bus
@testable import CommandLineTools
import Foundation
import Logging
import Store
import Testing

/// Unreachable servers end a command with EX_UNAVAILABLE (69), whichever library noticed.
@Suite struct ExitStatusTests {
    /// A loopback port nothing listens on: bound, then released.
    static func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func anUnreachableNATSServerIsUnavailable() async throws {
        let port = try Self.closedPort()
        let error = await #expect(throws: BusError.self) {
            _ = try await BusConnection.connect(BusConfiguration(servers: ["nats://127.0.0.1:\(port)"]),
                                                logger: Logger(label: "test"))
        }
        let failure = try #require(error)
        #expect(ExitStatus(for: failure) == .unavailable)
        #expect(ErrorReport(failure).text.contains("hint: is the stack up?"))
    }

    @Test func anUnreachablePostgreSQLServerIsUnavailable() async throws {
        let port = try Self.closedPort()
        let client = PostgresClient(
            configuration: PostgresConfiguration(connectionString: "host=127.0.0.1 port=\(port) dbname=none connect_timeout=5"),
            logger: Logger(label: "test"))
        let error = await #expect(throws: StoreError.self) { _ = try await client.query("SELECT 1") }
        await client.shutdown()
        let failure = try #require(error)
        #expect(ExitStatus(for: failure) == .unavailable)
        #expect(ErrorReport(failure).text.contains("ACTIVESEG_POSTGRES_DSN"))
    }

    @Test func aRejectedQueryIsFailedWorkNotAnOutage() throws {
        let error = StoreError(code: .uniqueViolation, sqlState: "23505", message: "duplicate key")
        #expect(ExitStatus(for: error) == .failure)
        #expect(ExitStatus(for: BusError(code: .malformedMessage, subject: "s", detail: "d")) == .failure)
    }

    @Test func eachFailureKindHasItsOwnCode() {
        let codes: [CommandLineError.Code] = [.usage, .dataError, .unavailable, .failed]
        #expect(codes.map(\.exitStatus.rawValue) == [64, 65, 69, 1])
    }
}
