import CommandLineTools
import Foundation

/// The `activeseg` executable: the process's arguments and streams handed to `CommandLineTool`.
@main
enum ActiveSegMain {
    static func main() async {
        let status = await CommandLineTool.run(Array(CommandLine.arguments.dropFirst()), context: .process())
        exit(status.rawValue)
    }
}
