import ArgumentParser
import Domain
import Foundation
import Profiles
import Proto
import Volume

/// `activeseg ingest`: hands a BraTS-layout folder (such as `activeseg synth` writes) to the ingest
/// service, which preprocesses every case onto the profile's grid and stores it in a dataset.
struct IngestCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest a BraTS-layout folder into a dataset through the ingest service.",
        discussion: "The folder must be readable by the ingest service (the same machine, or a shared volume).")

    @Option(help: "The folder that holds the case folders.")
    var brats: String

    @Option(help: "The dataset's id (default: a new one, printed).")
    var dataset: String?

    @Option(help: "The profile whose grid the cases are resampled to: tiny, cpu or paper.")
    var profile: String = "cpu"

    @Option(name: .customLong("label"), help: "Label values forming the enhancing-tumor mask (repeat; BraTS 2021: 4).")
    var labels: [Int32] = [4]

    @Option(
        help: "Share of the patients held out as the test split, in (0, 1); a small cohort needs more than the paper's."
    )
    var testShare: Double = 0.2

    @Option(help: "Seed of the dataset's test split.")
    var splitSeed: UInt64 = 1

    @OptionGroup(title: "Preprocessing steps for raw images") var preprocessing: PreprocessingStepOptions

    @Option(help: "Seconds to wait for the whole ingest.")
    var timeout: Int = 1800

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard (try? ExperimentProfile(named: profile)) != nil else {
            throw ValidationError("--profile must be tiny, cpu or paper, got '\(profile)'")
        }
        guard testShare > 0, testShare < 1 else {
            throw ValidationError("--test-share must lie between 0 and 1, got \(testShare)")
        }
    }

    func run(in context: CommandContext) async throws {
        let grid = try ExperimentProfile(named: profile)
        let folder = context.url(for: brats).standardizedFileURL
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw CommandLineError(
                .dataError, subject: folder.path, detail: "no such folder",
                hint: "generate one with `activeseg synth`")
        }
        let request = IngestRequest.with {
            $0.requestID = UUID().uuidString.lowercased()
            $0.datasetID = dataset ?? DatasetID.random().wireForm
            $0.brats = BratsFolder.with {
                $0.path = folder.path
                $0.targetLabels = labels
            }
            $0.preprocessing = PreprocessingConfig.with {
                $0.orientation = "RAI"
                $0.spacingMm = grid.targetSpacing
                $0.normalize = true
                let steps = preprocessing.steps
                $0.skullStrip = steps.contains(.skullStripping)
                $0.coregister = steps.contains(.registration)
                $0.biasCorrection = steps.contains(.biasFieldCorrection)
            }
            $0.testShare = testShare
            $0.splitSeed = splitSeed
        }
        let result = try await ServiceClient.with(context) { client in
            try await client.call(IngestRPC.ingest, request, timeout: .seconds(Int64(timeout)))
        }
        let failures = result.outcomes.compactMap { outcome -> CaseFailed? in
            if case .failed(let failure) = outcome.outcome { return failure }
            return nil
        }
        if json {
            context.output.write(try ExperimentText.json(result))
        } else {
            var lines = [
                "dataset   \(result.datasetID)",
                "ingested  \(result.outcomes.count - failures.count) of \(result.outcomes.count) cases",
            ]
            lines += Self.stepTimes(result).map { "step      \($0)" }
            lines += failures.map { "failed    \($0.sourceName): \($0.reason)" }
            context.output.write(lines.joined(separator: "\n") + "\n")
        }
        if failures.count == result.outcomes.count {
            throw CommandLineError(.dataError, subject: folder.path, detail: "no case could be ingested")
        }
    }

    /// Per optional step: its name, cases, and mean and slowest seconds per case.
    static func stepTimes(_ result: IngestResult) -> [String] {
        var seconds: [String: [Double]] = [:]
        for outcome in result.outcomes {
            guard case .ingested(let ingested) = outcome.outcome else { continue }
            for (step, time) in ingested.stepSeconds { seconds[step, default: []].append(time) }
        }
        return PreprocessingStep.allCases.compactMap { step in
            guard let times = seconds[step.rawValue], !times.isEmpty else { return nil }
            let mean = times.reduce(0, +) / Double(times.count)
            return "\(step.rawValue): \(times.count) cases, "
                + String(format: "%.2f s per case (slowest %.2f s)", mean, times.max() ?? 0)
        }
    }
}
