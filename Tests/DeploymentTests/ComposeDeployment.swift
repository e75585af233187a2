import Foundation

/// compose.yaml as docker-compose resolves it: every anchor merged, every `${…}` substituted with
/// the settings of .env.example, every path absolute.
struct ComposeDeployment {
    /// The checkout holding compose.yaml, Package.swift and the Dockerfile.
    static let checkout = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Where every service finds the shared artifacts.
    static let artifactRoot = "/var/lib/activeseg/artifacts"

    var services: [String: YAMLNode]
    var volumes: [String: YAMLNode]

    /// Runs `docker-compose config` of `files` (compose.yaml unless overrides follow it) with
    /// `envFile` as the only source of settings.
    static func config(envFile: String, files: [String] = ["compose.yaml"]) async throws -> CommandOutcome {
        let compose = try ExternalCommand.locate("docker-compose", package: "docker-compose")
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        environment["HOME"] = FileManager.default.temporaryDirectory.path
        return try await ExternalCommand.run(
            compose, ["--env-file", envFile] + files.flatMap { ["-f", $0] } + ["config"],
            in: checkout, environment: environment)
    }

    /// The deployment of `files` as configured by .env.example; fails with docker-compose's
    /// complaint.
    static func resolved(files: [String] = ["compose.yaml"]) async throws -> ComposeDeployment {
        let outcome = try await config(envFile: ".env.example", files: files)
        guard outcome.status == 0 else {
            throw ExternalCommandError(
                description: "docker-compose config exited \(outcome.status): \(outcome.standardError)")
        }
        let document = try BlockYAMLReader.read(outcome.standardOutput)
        return ComposeDeployment(
            services: document["services"]?.entries ?? [:],
            volumes: document["volumes"]?.entries ?? [:])
    }

    /// The settings of .env.example, `KEY=value` lines without the commented ones.
    static func exampleSettings() throws -> [String: String] {
        let text = try String(contentsOf: checkout.appendingPathComponent(".env.example"), encoding: .utf8)
        var settings: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let pair = line.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { settings[pair[0]] = pair[1] }
        }
        return settings
    }

    /// The services that run the ActiveSeg image: those built from the checkout.
    var activesegServices: [String: YAMLNode] {
        services.filter { $0.value["build"] != nil }
    }

    /// The executable a service runs: its entrypoint when it sets one, else its command's first word.
    static func executable(of service: YAMLNode) -> String? {
        let words = { (node: YAMLNode?) -> [String] in
            if let text = node?.string { return text.split(separator: " ").map(String.init) }
            return node?.items?.compactMap(\.string) ?? []
        }
        return (words(service["entrypoint"]) + words(service["command"])).first
    }

    /// `(source, target)` of each volume mount, from the short (`source:target:mode`) or the long form.
    static func mounts(of service: YAMLNode) -> [(source: String, target: String)] {
        (service["volumes"]?.items ?? []).compactMap { mount in
            if let text = mount.string {
                let parts = text.split(separator: ":").map(String.init)
                return parts.count >= 2 ? (parts[0], parts[1]) : nil
            }
            guard let source = mount["source"]?.string, let target = mount["target"]?.string else { return nil }
            return (source, target)
        }
    }
}
