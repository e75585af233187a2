import Foundation
import TestSupport

/// Debian's `chromium`, headless, as a person's browser in the dashboard's tests: a screenshot or
/// the DOM after load of a page, or a page kept open and read over the DevTools protocol while
/// its scripts run (`Chromium.Session`). `scripts/stack up` installs it when run as root.
enum Chromium {
    static let executable = "/usr/bin/chromium"
    static let flags = ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run"]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func requireInstalled() throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(
                description: "no \(executable): scripts/stack up installs it as root (apt-get install chromium)")
        }
    }

    /// Saves a PNG of `url` as rendered at `width`×`height` pixels.
    static func screenshot(_ url: String, to file: URL, width: Int = 1280, height: Int = 1800) async throws {
        _ = try await run(["--screenshot=\(file.path)", "--window-size=\(width),\(height)", url])
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw Failure(description: "chromium saved no screenshot of \(url)")
        }
    }

    /// The page's DOM once it has loaded, scripts run.
    static func dom(_ url: String) async throws -> String {
        try await run(["--dump-dom", url])
    }

    private static func run(_ arguments: [String]) async throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = flags + ["--user-data-dir=\(profile.path)"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = try await Task.detached { try output.fileHandleForReading.readToEnd() ?? Data() }.value
        try await within(.seconds(120), "chromium to finish") {
            while process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// One page open in a headless chromium, read over the DevTools protocol on a pair of pipes
    /// (`--remote-debugging-pipe`: JSON messages ended by a NUL byte, commands on fd 3, answers on
    /// fd 4), so a test sees the page change while it stays open. One command is in flight at a
    /// time (a lock orders them), so any task may use it.
    final class Session: @unchecked Sendable {
        private let lock = NSLock()
        private let process = Process()
        private let folder: URL
        private let commands: FileHandle
        private let answers: FileHandle
        private var buffer = Data()
        private var nextID = 0
        private var sessionID = ""

        init(_ url: String) throws {
            try requireInstalled()
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let (input, output) = (folder.appendingPathComponent("in").path, folder.appendingPathComponent("out").path)
            guard mkfifo(input, 0o600) == 0, mkfifo(output, 0o600) == 0 else {
                throw Failure(description: "cannot make the DevTools pipes in \(folder.path)")
            }
            let command =
                ([executable] + flags + ["--remote-debugging-pipe", "--user-data-dir=\(folder.path)/profile", url])
                .map { "'\($0)'" }.joined(separator: " ")
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "exec \(command) 3<'\(input)' 4>'\(output)'"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The shell opens the command pipe first, then the answer pipe; opening them in the same
            // order never deadlocks.
            guard let commands = FileHandle(forWritingAtPath: input), let answers = FileHandle(forReadingAtPath: output)
            else { throw Failure(description: "chromium did not open its DevTools pipes") }
            (self.commands, self.answers) = (commands, answers)
            let targets = try send("Target.getTargets", session: false)
            let infos = (targets["targetInfos"] as? [[String: Any]]) ?? []
            guard let page = infos.first(where: { $0["type"] as? String == "page" })?["targetId"] as? String else {
                throw Failure(description: "chromium opened no page: \(targets)")
            }
            let attached = try send(
                "Target.attachToTarget", ["targetId": page, "flatten": true], session: false)
            sessionID = attached["sessionId"] as? String ?? ""
        }

        /// The value of a JavaScript expression in the page (a string, number or boolean).
        func evaluate(_ expression: String) throws -> Any? {
            let answer = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true])
            return (answer["result"] as? [String: Any])?["value"]
        }

        func close() {
            _ = try? send("Browser.close", session: false)
            try? commands.close()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: folder)
        }

        private func send(
            _ method: String, _ parameters: [String: Any] = [:], session: Bool = true
        ) throws
            -> [String: Any]
        {
            lock.lock()
            defer { lock.unlock() }
            nextID += 1
            var message: [String: Any] = ["id": nextID, "method": method, "params": parameters]
            if session { message["sessionId"] = sessionID }
            commands.write(try JSONSerialization.data(withJSONObject: message) + Data([0]))
            while true {
                while let end = buffer.firstIndex(of: 0) {
                    let line = buffer[buffer.startIndex..<end]
                    buffer = Data(buffer[buffer.index(after: end)...])
                    guard let reply = try JSONSerialization.jsonObject(with: line) as? [String: Any],
                        reply["id"] as? Int == nextID
                    else { continue }
                    if let error = reply["error"] { throw Failure(description: "\(method): \(error)") }
                    return reply["result"] as? [String: Any] ?? [:]
                }
                let chunk = answers.availableData
                guard !chunk.isEmpty else { throw Failure(description: "chromium closed its DevTools pipe") }
                buffer += chunk
            }
        }
    }
}
