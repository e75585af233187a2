import ArgumentParser
import Foundation
import Volume

/// `activeseg volume skull-strip IN OUT --mask-out MASK`: the brain of a head image (BET-style
/// surface, `SkullStripping`), written as the stripped image and its mask.
struct VolumeSkullStripCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "skull-strip",
        abstract: "Extract the brain from a head image (T1, optionally guided by T2).",
        discussion: """
            A tessellated sphere is grown from the head's centre onto the brain's edge (FSL BET's \
            method) and filled to a mask. With --t2 (same grid as IN) the surface follows T2, where \
            CSF is bright and bone dark, so the mask takes the CSF around the brain as BraTS masks \
            do. OUT keeps IN's datatype and scaling; the mask is uint8 (1 = brain). Writes are atomic.
            """)

    @Argument(help: "The head image (T1 or T1c), .nii or .nii.gz.")
    var input: String

    @Argument(help: "The stripped image: IN with zero outside the brain.")
    var output: String

    @Option(help: "Where to write the brain mask.")
    var maskOut: String

    @Option(help: "A T2 image on IN's grid to guide the surface.")
    var t2: String?

    @Option(help: "Where to write the stripped T2 (needs --t2).")
    var t2Out: String?

    @Option(help: "BET's fractional intensity threshold (0–1): smaller gives larger masks.")
    var fractionalThreshold: Double = SkullStripping.Configuration().fractionalThreshold

    func validate() throws {
        if t2Out != nil, t2 == nil { throw ValidationError("--t2-out needs --t2") }
        guard fractionalThreshold > 0, fractionalThreshold < 1 else {
            throw ValidationError("--fractional-threshold must be between 0 and 1, got \(fractionalThreshold)")
        }
        for name in [input, output, maskOut] + [t2, t2Out].compactMap({ $0 })
        where !(name.hasSuffix(".nii") || name.hasSuffix(".nii.gz")) {
            throw ValidationError("\(name) is not a NIfTI file name: it must end in .nii or .nii.gz")
        }
    }

    func run(in context: CommandContext) async throws {
        let source = context.url(for: input), target = context.url(for: output)
        let maskTarget = context.url(for: maskOut)
        let t2Source = t2.map(context.url(for:)), t2Target = t2Out.map(context.url(for:))
        var settings = SkullStripping.Configuration()
        settings.fractionalThreshold = fractionalThreshold
        let line = try await blockingWork { [settings] in
            let info = try NIfTI.fileInfo(at: source)
            let t1 = try NIfTI.readImage(at: source)
            let t2 = try t2Source.map { url throws(VolumeError) in try NIfTI.readImage(at: url) }
            let name = source.lastPathComponent
            let result: SkullStripping.Result
            do throws(VolumeError) {
                result = try SkullStripping.strip(t1: t1, t2: t2, configuration: settings)
            } catch {
                throw error.inFile(source.path)
            }
            try Self.write(result.t1, like: info, to: target)
            if let t2Target, let stripped = result.t2, let t2Source {
                try Self.write(stripped, like: try NIfTI.fileInfo(at: t2Source), to: t2Target)
            }
            try NIfTI.write(result.brainMask, to: maskTarget)
            let litres = String(format: "%.3f", result.brainVolume)
            return "\(name): brain \(litres) l → \(target.path), mask \(maskTarget.path)\n"
        }
        context.output.write(line)
    }

    /// Writes `image` with the datatype, scaling and NIfTI version of the file it came from.
    private static func write(_ image: Volume, like info: NIfTIFileInfo, to url: URL) throws(VolumeError) {
        let scaled = info.slope != 0 && info.slope.isFinite
        try NIfTI.write(
            image, to: url, datatype: info.datatype ?? .float32, version: info.version == 2 ? .nifti2 : .nifti1,
            slope: scaled ? info.slope : 1, intercept: scaled ? info.intercept : 0)
    }
}
