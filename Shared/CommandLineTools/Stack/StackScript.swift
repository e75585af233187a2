import Foundation

/// The checkout's `scripts/stack`, found from the working directory or the executable.
struct StackScript {
    let url: URL

    /// The first `scripts/stack` beside a `Package.swift` in the working directory, the
    /// executable's folder (`.build/<configuration>/` of a checkout) or one of their parents.
    static func locate(in context: CommandContext) throws -> StackScript {
        var starts = [context.workingDirectory]
        if let executable = context.executable { starts.append(executable.deletingLastPathComponent()) }
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let script = folder.appendingPathComponent("scripts/stack")
                if FileManager.default.isExecutableFile(atPath: script.path),
                    FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path)
                {
                    return StackScript(url: script)
                }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw CommandLineError(
            .failed, subject: "stack",
            detail:
                "cannot find scripts/stack (looked in \(starts.map(\.path).joined(separator: " and ")) and their parents)",
            hint: "run activeseg from inside the ActiveSeg checkout")
    }

    /// Runs the script with one argument and returns its exit status (see `ChildProcess`).
    func run(_ argument: String, context: CommandContext) async throws -> Int32 {
        do {
            return try await ChildProcess.run(
                url, arguments: [argument],
                in: url.deletingLastPathComponent().deletingLastPathComponent(), context: context)
        } catch {
            throw CommandLineError(
                .failed, subject: "stack", detail: "cannot start \(url.path): \(error.localizedDescription)",
                hint: "check that it is executable (chmod +x)")
        }
    }
}
