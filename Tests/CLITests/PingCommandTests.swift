import CommandLineTools
import Foundation
import TestSupport
import Testing

/// `activeseg ping` when nobody answers; the answering side is checked against the service
/// processes in `CommandLineEndToEndTests`.
@Suite(.tags(.stack), .needsLocalStack) struct PingCommandTests {
    @Test func aServiceNobodyRunsIsUnavailableAndSaysWhatToStart() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["ACTIVESEG_SUBJECT_PREFIX"] = "nobody-\(UUID().uuidString.prefix(8))"
        let folder = try TemporaryFolder()
        let run = await activeseg(["ping", "scorer", "--timeout", "1"], in: folder.url, environment: environment)
        #expect(run.status == .unavailable)
        #expect(run.errors.contains("the scorer service"), "\(run.errors)")
        #expect(run.errors.contains("activeseg stack up"))
        #expect(run.output.isEmpty)
    }
}
