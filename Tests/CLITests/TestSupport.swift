import CommandLineTools
import Foundation
import Synchronization

/// Text a command wrote, collected for the test to read.
final class CapturedOutput: OutputSink {
    private let text = Mutex("")

    func write(_ text: String) { self.text.withLock { $0 += text } }

    var contents: String { text.withLock { $0 } }
}

/// What one in-process run of `activeseg` produced.
struct ToolRun {
    var status: ExitStatus
    var output: String
    var errors: String
}

/// Runs `activeseg` in-process with `arguments`, relative paths resolved in `folder`.
func activeseg(
    _ arguments: [String], in folder: URL, environment: [String: String] = [:], executable: URL? = nil,
    errorsIsTerminal: Bool = false
) async -> ToolRun {
    let output = CapturedOutput()
    let errors = CapturedOutput()
    let context = CommandContext(
        output: output, errors: errors, errorsIsTerminal: errorsIsTerminal,
        environment: environment, workingDirectory: folder, executable: executable)
    let status = await CommandLineTool.run(arguments, context: context)
    return ToolRun(status: status, output: output.contents, errors: errors.contents)
}

/// The ActiveSeg checkout these tests were compiled from.
let checkoutRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func decode<Value: Decodable>(_ type: Value.Type, from json: String) throws -> Value {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
        positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return try decoder.decode(type, from: Data(json.utf8))
}
