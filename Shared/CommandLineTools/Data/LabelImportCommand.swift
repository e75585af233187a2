import ArgumentParser
import Foundation
import Proto
import ServiceRuntime
import Store

/// `activeseg label import`: delivers a person's labels for the cases a `human`-mode experiment
/// picked, through the orchestrator's ImportLabels rpc, which checks, preprocesses and stores them
/// and lets the round go on once every pick has its label.
struct LabelImportCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Deliver NIfTI labels for the cases a human-mode experiment picked.",
        discussion: """
            Each .nii or .nii.gz file in --labels is named after its case as the dataset names it \
            (`Synth_00007.nii.gz`; a BraTS-style `_seg` suffix is allowed). The orchestrator reads \
            the files itself, so the folder must be one it can see. Exit status 65 when a file \
            names no case of the experiment's dataset or the orchestrator refuses a label.
            """)

    @Option(help: "The experiment waiting for labels.")
    var experiment: UUIDArgument

    @Option(help: "Folder of label files named after their cases.")
    var labels: String

    @Option(help: "The round the labels answer (default: the experiment's round that is annotating).")
    var round: UInt32?

    @Flag(help: "Print the orchestrator's answer as JSON.")
    var json = false

    /// The orchestrator's answer, in the form printed.
    struct Report: Codable, Sendable, Equatable {
        var round: UInt32
        var accepted: [String]
        var rejected: [String: String]
        var missing: [String]
    }

    func run(in context: CommandContext) async throws {
        let experimentID = experiment.value
        let folder = context.url(for: labels)
        let files = try Self.labelFiles(in: folder)
        let chosenRound = round
        let (cases, round) = try await StoreConnection.withClient(context) { client in
            let cases = try await Self.caseIDs(of: experimentID, client)
            if let chosenRound { return (cases, chosenRound) }
            return (cases, try await Self.annotatingRound(of: experimentID, client))
        }
        let unknown = files.keys.filter { cases[$0] == nil }.sorted()
        guard unknown.isEmpty else {
            throw CommandLineError(
                .dataError, subject: folder.path,
                detail: "no case of the experiment's dataset is named \(unknown.joined(separator: ", "))",
                hint: "name each file after its case, as `activeseg case list --dataset …` shows it")
        }
        var request = LabelImportRequest()
        request.experimentID = experimentID.uuidString.lowercased()
        request.round = round
        request.labels = files.sorted { $0.key < $1.key }.map { name, url in
            var label = ImportedLabel()
            label.caseID = cases[name]!.uuidString.lowercased()
            label.path = url.path
            return label
        }
        let result = try await BusSession.withConnection(context) { connection, configuration in
            do {
                return try await RPCClient(connection: connection, subjectPrefix: configuration.subjectPrefix)
                    .call(OrchestratorRPC.importLabels, request)
            } catch let error as RPCError {
                throw Self.words(for: error)
            }
        }
        let names = Dictionary(uniqueKeysWithValues: cases.map { ($0.value.uuidString.lowercased(), $0.key) })
        let report = Report(
            round: round, accepted: result.acceptedCaseIds.map { names[$0] ?? $0 },
            rejected: Dictionary(
                result.rejected.map { (names[$0.caseID] ?? $0.caseID, $0.reason) }, uniquingKeysWith: { a, _ in a }),
            missing: result.missingCaseIds.map { names[$0] ?? $0 })
        context.output.write(json ? try JSONOutput.encode(report) : Self.text(report))
        if !report.rejected.isEmpty {
            throw CommandLineError(
                .dataError, subject: "labels", detail: "\(report.rejected.count) label(s) refused",
                hint: "fix the files named above and import them again")
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

    /// The experiment's dataset's cases by source name.
    private static func caseIDs(of experiment: UUID, _ client: PostgresClient) async throws -> [String: UUID] {
        let rows = try await client.query(
            """
            SELECT c.source_name, c.id FROM cases c JOIN experiments e ON e.dataset_id = c.dataset_id
            WHERE e.id = \(experiment) AND c.state = 'ingested'
            """)
        var cases: [String: UUID] = [:]
        for row in rows { cases[try row.decode("source_name")] = try row.decode("id") }
        guard !cases.isEmpty else {
            throw CommandLineError(
                .dataError, subject: "experiment \(experiment.uuidString.lowercased())",
                detail: "no such experiment, or its dataset has no ingested cases")
        }
        return cases
    }

    private static func annotatingRound(of experiment: UUID, _ client: PostgresClient) async throws -> UInt32 {
        guard
            let row = try await client.query(
                """
                SELECT round_index FROM rounds WHERE experiment_id = \(experiment) AND phase = 'annotating'
                """
            ).first
        else {
            throw CommandLineError(
                .dataError, subject: "experiment \(experiment.uuidString.lowercased())",
                detail: "no round is waiting for labels",
                hint: "`activeseg case show` says which cases were picked when")
        }
        return UInt32(try row.decode("round_index", as: Int.self))
    }

    private static func words(for error: RPCError) -> CommandLineError {
        switch error.code {
        case .unavailable, .deadlineExceeded:
            CommandLineError(
                .unavailable, subject: "orchestrator", detail: error.message,
                hint: "is the orchestrator running? `activeseg stack status`; check ACTIVESEG_SUBJECT_PREFIX")
        case .invalidArgument, .failedPrecondition, .notFound:
            CommandLineError(.dataError, subject: "orchestrator", detail: error.message)
        default:
            CommandLineError(.failed, subject: "orchestrator", detail: error.message)
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
