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
                   FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                    return StackScript(url: script)
                }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw CommandLineError(
            .failed, subject: "stack", detail: "cannot find scripts/stack (looked in \(starts.map(\.path).joined(separator: " and ")) and their parents)",
            hint: "run activeseg from inside the ActiveSeg checkout")
    }

    /// Runs the script with one argument and returns its exit status. Its output goes straight to
    /// the context's streams when they are files, and is copied into them otherwise.
    func run(_ argument: String, context: CommandContext) async throws -> Int32 {
        let process = Process()
        process.executableURL = url
        process.arguments = [argument]
        process.environment = context.environment
        process.currentDirectoryURL = url.deletingLastPathComponent().deletingLastPathComponent()
        let output = Self.destination(for: context.output)
        let errors = Self.destination(for: context.errors)
        process.standardOutput = output.handle
        process.standardError = errors.handle
        let copies = DispatchGroup()
        for destination in [output, errors] { destination.startCopying(in: copies) }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { finished in
                copies.notify(queue: .global()) { continuation.resume(returning: finished.terminationStatus) }
            }
            do {
                try process.run()
                output.closeWriteEnd()
                errors.closeWriteEnd()
            } catch {
                output.closeWriteEnd()
                errors.closeWriteEnd()
                continuation.resume(throwing: CommandLineError(
                    .failed, subject: "stack", detail: "cannot start \(url.path): \(error.localizedDescription)",
                    hint: "check that it is executable (chmod +x)"))
            }
        }
    }

    /// A sink as a child process's stream: its own file, or a pipe copied into it.
    private struct Destination: @unchecked Sendable {
        let handle: FileHandle
        let pipe: Pipe?
        let sink: any OutputSink

        func startCopying(in group: DispatchGroup) {
            guard let pipe else { return }
            group.enter()
            DispatchQueue.global().async {
                let reader = pipe.fileHandleForReading
                while case let data = reader.availableData, !data.isEmpty { sink.write(String(decoding: data, as: UTF8.self)) }
                group.leave()
            }
        }

        /// The parent's copy of the pipe's write end, closed so that the reader sees the end of
        /// the child's output.
        func closeWriteEnd() { try? pipe?.fileHandleForWriting.close() }
    }

    private static func destination(for sink: any OutputSink) -> Destination {
        if let handle = sink.fileHandle { return Destination(handle: handle, pipe: nil, sink: sink) }
        let pipe = Pipe()
        return Destination(handle: pipe.fileHandleForWriting, pipe: pipe, sink: sink)
    }
}
