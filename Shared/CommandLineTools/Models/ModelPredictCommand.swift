import ArgumentParser
import Foundation
import Neural
import Profiles
import Volume

/// `activeseg model predict`: segments one case given as NIfTI files, with the preprocessing ingest
/// applies, and writes the result back on the input's own grid so it overlays the T1c in any viewer.
struct ModelPredictCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Segment a T1c/T2 pair with a checkpoint: probability and label NIfTI on the T1c grid.",
        discussion: """
            The checkpoint is a file (--checkpoint) or a stored model's (--model-id, read through \
            PostgreSQL and the artifact store). The images are preprocessed as ingest does \
            (reoriented to LPS, B-spline resampled to the profile's spacing, cropped to the brain \
            with a margin, z-scored per channel; skull stripping, registration and N4 when asked, as \
            for a dataset ingested with them), predicted \
            with the profile's inference strategy, and the probability map is carried back onto the \
            T1c's grid (its dims and affine) by nearest neighbour through world space; voxels outside \
            the brain crop get probability 0. The label is probability ≥ 0.5 (values 0 and 1), or \
            tumor-free when the network's grid holds less tumor than the profile's minimum tumor \
            volume, as evaluation scores it. \
            With --mc T the probability is the mean of T dropout passes (a checkpoint trained \
            without dropout gives T identical passes).
            """)

    @OptionGroup var source: CheckpointOptions

    @Argument(help: "The contrast-enhanced T1 image (.nii or .nii.gz).")
    var t1c: String

    @Argument(help: "The T2 image, co-registered with the T1c (.nii or .nii.gz).")
    var t2: String

    @Option(help: "Where to write the probability map (float32 NIfTI).")
    var outProb: String

    @Option(help: "Where to write the label (uint8 NIfTI, 0 and 1).")
    var outLabel: String

    @Option(name: .customLong("mc"), help: "Monte-Carlo dropout passes to average.")
    var passes: Int?

    @Option(help: "Seed of the dropout masks with --mc.")
    var seed: UInt64 = 0

    @Flag(help: "Average the eight mirrored predictions (test-time mirroring, as nnU-Net predicts): 8× the time.")
    var mirror = false

    @Option(help: "The profile that sets spacing and inference (default: the one the checkpoint records).")
    var profile: ProfileArgument?

    @OptionGroup(title: "Preprocessing steps for raw images (as the case's dataset was ingested)")
    var preprocessing: PreprocessingStepOptions

    func validate() throws {
        if let passes, passes < 1 { throw ValidationError("--mc must be at least 1, got \(passes)") }
        if mirror, passes != nil { throw ValidationError("--mirror and --mc exclude each other") }
        for name in [t1c, t2, outProb, outLabel] where !(name.hasSuffix(".nii") || name.hasSuffix(".nii.gz")) {
            throw ValidationError("\(name) is not a NIfTI file name: it must end in .nii or .nii.gz")
        }
    }

    func run(in context: CommandContext) async throws {
        let checkpointURL = try await source.file(in: context)
        let (t1cURL, t2URL) = (context.url(for: t1c), context.url(for: t2))
        let (probabilityURL, labelURL) = (context.url(for: outProb), context.url(for: outLabel))
        let (passes, seed, mirroring, chosenProfile) = (passes, seed, mirror, profile?.profile)
        let steps = preprocessing.steps
        let summary = try await blockingWork {
            let loaded = try CheckpointFile.load(checkpointURL)
            let profile = try chosenProfile ?? CheckpointFile.profile(of: loaded, file: checkpointURL.path)
            let t1cVolume = try NIfTI.readImage(at: t1cURL)
            let t2Volume = try NIfTI.readImage(at: t2URL)
            let prediction = try CasePrediction(
                network: loaded.network, profile: profile, t1c: t1cVolume, t2: t2Volume, passes: passes, seed: seed,
                mirroring: mirroring, steps: steps)
            try NIfTI.write(prediction.probabilities, to: probabilityURL)
            try NIfTI.write(prediction.label, to: labelURL)
            let foreground = prediction.label.voxels.reduce(0) { $0 + Int($1) }
            return "\(t1cURL.lastPathComponent): \(prediction.label.shape) voxels, \(foreground) labelled tumor "
                + "(profile \(profile.name), network input \(prediction.networkGrid))\n"
                + "→ \(probabilityURL.path)\n→ \(labelURL.path)\n"
        }
        context.output.write(summary)
    }
}
