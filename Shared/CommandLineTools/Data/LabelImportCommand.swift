import ArgumentParser
import Domain
import Foundation
import Proto
import ServiceRuntime

/// `activeseg label import`: delivers a person's labels for the cases a `human`-mode experiment
/// picked, through ingest's ImportLabels rpc, which checks, preprocesses and stores them and has
/// the orchestrator let the round go on once every pick has its label.
struct LabelImportCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Deliver NIfTI labels for the cases a human-mode experiment picked.",
        discussion: """
            Each .nii or .nii.gz file in --labels is named after its case as the dataset names it \
            (`Synth_00007.nii.gz`; a BraTS-style `_seg` suffix is allowed). The ingest service reads \
            the files itself, so the folder must be one it can see, and resolves the names to the \
            experiment's cases. Exit status 65 when ingest refuses a label, a file naming no case \
            of the experiment's dataset included.
            """)

    @Option(help: "The experiment waiting for labels.")
    var experiment: UUIDArgument

    @Option(help: "Folder of label files named after their cases.")
    var labels: String

    @Option(help: "The round the labels answer (default: the experiment's round that is annotating).")
    var round: UInt32?

    @Flag(help: "Print the ingest service's answer as JSON.")
    var json = false

    /// The ingest service's answer, in the form printed.
    struct Report: Codable, Sendable, Equatable {
        var round: UInt32
        var accepted: [String]
        var rejected: [String: String]
        var missing: [String]
    }

    func run(in context: CommandContext) async throws {
        let folder = context.url(for: labels)
        var request = LabelImportRequest()
        request.experimentID = ExperimentID(experiment.value).wireForm
        if let round { request.round = round }
        request.labels = try Self.labelFiles(in: folder).sorted { $0.key < $1.key }.map { name, url in
            ImportedLabel.with {
                $0.caseName = name
                $0.path = url.path
            }
        }
        let result = try await BusSession.withConnection(context) { connection, configuration in
            do {
                return try await RPCClient(connection: connection, subjectPrefix: configuration.subjectPrefix)
                    .call(IngestRPC.importLabels, request)
            } catch let error as RPCError {
                throw Self.words(for: error)
            }
        }
        let report = Report(
            round: result.round, accepted: result.acceptedCaseNames,
            rejected: Dictionary(result.rejected.map { ($0.caseName, $0.reason) }, uniquingKeysWith: { a, _ in a }),
            missing: result.missingCaseNames)
        context.output.write(json ? try JSONOutput.encode(report) : Self.text(report))
        if !report.rejected.isEmpty {
            throw CommandLineError(
                .dataError, subject: folder.path,
                detail:
                    "\(report.rejected.count) label(s) refused: \(report.rejected.keys.sorted().joined(separator: ", "))",
                hint: "fix the files named above and import them again; each is named after its case, "
                    + "as `activeseg case list --dataset …` shows it")
        }
    }

    /// Label files by case name.
    static func labelFiles(in folder: URL) throws -> [String: URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw CommandLineError(
                .dataError, subject: folder.path, detail: "cannot list the folder",
                hint: "check the path; relative paths start from the current folder")
        }
        var files: [String: URL] = [:]
        for name in names.sorted() {
            guard let stem = [".nii.gz", ".nii"].first(where: name.hasSuffix).map({ String(name.dropLast($0.count)) })
            else { continue }
            let caseName = stem.hasSuffix("_seg") ? String(stem.dropLast(4)) : stem
            guard files[caseName] == nil else {
                throw CommandLineError(.dataError, subject: folder.path, detail: "two files name case \(caseName)")
            }
            files[caseName] = folder.appendingPathComponent(name)
        }
        guard !files.isEmpty else {
            throw CommandLineError(.dataError, subject: folder.path, detail: "no .nii or .nii.gz files")
        }
        return files
    }

    private static func words(for error: RPCError) -> CommandLineError {
        switch error.code {
        case .unavailable, .deadlineExceeded:
            CommandLineError(
                .unavailable, subject: "ingest", detail: error.message,
                hint: "is the ingest service running? `activeseg stack status`; check ACTIVESEG_SUBJECT_PREFIX")
        case .invalidArgument, .failedPrecondition, .notFound:
            CommandLineError(.dataError, subject: "ingest", detail: error.message)
        default:
            CommandLineError(.failed, subject: "ingest", detail: error.message)
        }
    }

    static func text(_ report: Report) -> String {
        var lines = [
            "round \(report.round): \(report.accepted.count) accepted, \(report.rejected.count) refused, "
                + "\(report.missing.count) still missing"
        ]
        lines += report.rejected.sorted { $0.key < $1.key }.map { "refused \($0.key): \($0.value)" }
        if !report.missing.isEmpty { lines.append("missing: " + report.missing.joined(separator: ", ")) }
        return lines.joined(separator: "\n") + "\n"
    }
}
