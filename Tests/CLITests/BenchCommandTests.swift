import CommandLineTools
import Foundation
import TestSupport
import Testing

@Suite struct BenchCommandTests {
    @Test(arguments: [
        ("train", "neural-benchmark"), ("infer", "neural-benchmark"), ("selection", "selection-benchmark"),
        ("preprocess", "preprocess-benchmark"),
    ])
    func aBenchmarkThatIsNotBuiltSaysHowToBuildIt(benchmark: String, program: String) async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["bench", benchmark], in: folder.url, executable: folder.file("activeseg"))
        #expect(run.status == .failure)
        #expect(run.errors.contains("\(folder.file(program).path) is not built"))
        #expect(run.errors.contains("hint: build it beside activeseg: `swift build -c release --product \(program)`"))
    }

    @Test func anUnknownBenchmarkIsAUsageError() async throws {
        let folder = try TemporaryFolder()
        let run = await activeseg(["bench", "everything"], in: folder.url, executable: folder.file("activeseg"))
        #expect(run.status == .usage)
    }
}
