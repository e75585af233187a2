import ArgumentParser
import Foundation
import SyntheticData
import Volume

/// `activeseg synth`: the synthetic brain-tumor cohort in the BraTS 2021 layout.
struct SynthCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a synthetic brain-tumor cohort (BraTS 2021 layout).",
        discussion: """
            Writes <out>/Synth_00001/Synth_00001_t1ce.nii.gz, _t2, _seg (labels 1, 2, 4) per case, and \
            cohort.json / cohort.csv. The same seed, anatomy and spacing scale give identical files. \
            --with-skull keeps skull and scalp around the brain and adds _brainmask (the true mask). \
            --head-motion places each T2 as if the head moved between the acquisitions (up to 10° and \
            10 mm, recorded in cohort.json), so T2 must be registered onto T1c.
            """)

    enum Anatomy: String, ExpressibleByArgument, CaseIterable {
        case template, phantom
    }

    @Option(help: "Number of cases.")
    var cases: Int

    @Option(help: "Seed of the cohort.")
    var seed: UInt64

    @Option(help: "Folder to write the cohort to (created if missing).")
    var out: String

    @Option(help: "template: the MNI ICBM152 2009a maps from scripts/fetch-template; phantom: a procedural head.")
    var anatomy: Anatomy = .template

    @Option(
        help: "Folder of the template (default: $ACTIVESEG_TEMPLATE_DIR, else ~/.cache/activeseg/mni-icbm152-2009a).")
    var templateDir: String?

    @Option(help: "Multiplies the 0.9–1.2 mm acquisition voxels: 1 is BraTS-like, 4 makes tiny test volumes.")
    var spacingScale: Double = 1

    @Flag(help: "Keep skull and scalp around the brain and write each case's true brain mask (_brainmask).")
    var withSkull = false

    @Flag(help: "Place each T2 as if the head moved after the T1c (up to 10° and 10 mm): raw, unregistered series.")
    var headMotion = false

    @Flag(help: "Print the cohort summary as JSON.")
    var json = false

    func validate() throws {
        guard cases > 0 else { throw ValidationError("--cases must be at least 1, got \(cases)") }
        guard spacingScale > 0, spacingScale.isFinite else {
            throw ValidationError("--spacing-scale must be a positive number, got \(spacingScale)")
        }
        if templateDir != nil, anatomy == .phantom {
            throw ValidationError("--template-dir applies to --anatomy template only")
        }
    }

    func run(in context: CommandContext) async throws {
        let output = context.url(for: out)
        let source: CohortAnatomy
        switch anatomy {
        case .phantom:
            source = .phantom
        case .template:
            source = .template(folder: templateFolder(in: context))
        }
        let progress = ProgressBar("synth", context: context)
        let (cases, seed, scale, withSkull, headMotion) = (cases, seed, spacingScale, withSkull, headMotion)
        let summary = try await blockingWork {
            try SyntheticCohort.generate(
                cases: cases, seed: seed, outputDirectory: output, anatomy: source,
                spacingScale: scale, withSkull: withSkull, headMotion: headMotion, progress: progress.update)
        }
        if json {
            context.output.write(try JSONOutput.encode(summary))
        } else {
            context.output.write(Self.report(summary, folder: output))
        }
    }

    private func templateFolder(in context: CommandContext) -> URL {
        if let templateDir { return context.url(for: templateDir) }
        if let configured = context.environment["ACTIVESEG_TEMPLATE_DIR"], !configured.isEmpty {
            return context.url(for: configured)
        }
        let home = context.environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/activeseg/mni-icbm152-2009a")
    }

    static func report(_ summary: CohortSummary, folder: URL) -> String {
        var lines = [
            "Wrote \(summary.cases.count) \(summary.cases.count == 1 ? "case" : "cases") to \(folder.path)",
            "anatomy \(summary.anatomy), seed \(summary.seed), spacing scale \(TextFormat.number(summary.spacingScale))",
            "",
        ]
        let rows = TumorSubtype.allCases.map { [$0.rawValue, "\(summary.subtypeCounts[$0.rawValue] ?? 0)"] }
        lines += TextFormat.table(header: ["subtype", "cases"], rows: rows, rightAligned: [1])
        return lines.joined(separator: "\n") + "\n"
    }
}
