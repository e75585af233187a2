import Foundation

/// Another program run on the command's behalf (the stack script, a benchmark), its output going
/// straight to the context's streams when they are files and copied into them otherwise.
enum ChildProcess {
    /// Runs `url` with `arguments` in `folder` and returns its exit status; throws only when it
    /// cannot be started.
    static func run(_ url: URL, arguments: [String], in folder: URL, context: CommandContext) async throws -> Int32 {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = context.environment
        process.currentDirectoryURL = folder
        let output = destination(for: context.output)
        let errors = destination(for: context.errors)
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
                continuation.resume(throwing: error)
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
                while case let data = reader.availableData, !data.isEmpty {
                    sink.write(String(decoding: data, as: UTF8.self))
                }
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
