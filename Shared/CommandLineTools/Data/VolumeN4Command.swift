import ArgumentParser
import Foundation
import Volume

/// `activeseg volume n4 IN OUT`: N4 bias field correction of one image, the preprocessing step as a
/// tool of its own.
struct VolumeN4Command: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "n4",
        abstract: "Correct an image's intensity bias field with N4.",
        discussion: """
            The field is fitted over the mask's nonzero voxels (default: Otsu's threshold of the \
            image) on the image shrunk by --shrink, with ITK's defaults otherwise (four fitting \
            levels of at most 50 iterations, convergence 0.001, 200 histogram bins, FWHM 0.15, \
            Wiener noise 0.01), and divided out on the full grid. The output is float32, on the \
            input's grid; --field also writes the estimated multiplicative field. The line printed \
            gives the time N4 itself took (reading and writing excluded).
            """)

    @Argument(help: "The input .nii or .nii.gz file.")
    var input: String

    @Argument(help: "The corrected image; its name ends in .nii or .nii.gz.")
    var output: String

    @Option(help: "A mask on the input's grid: the field is fitted where it is nonzero.")
    var mask: String?

    @Option(help: "Fit on every S-th voxel along each axis (1: full resolution).")
    var shrink = BiasFieldCorrection.Configuration().shrinkFactor

    @Option(help: "Also write the estimated field (input = output × field) to this file.")
    var field: String?

    func validate() throws {
        guard shrink >= 1 else { throw ValidationError("--shrink \(shrink): give a factor of at least 1") }
        for name in [input, output] + [mask, field].compactMap({ $0 })
        where !(name.hasSuffix(".nii") || name.hasSuffix(".nii.gz")) {
            throw ValidationError("\(name) is not a NIfTI file name: it must end in .nii or .nii.gz")
        }
    }

    func run(in context: CommandContext) async throws {
        let source = context.url(for: input)
        let target = context.url(for: output)
        let maskURL = mask.map { context.url(for: $0) }
        let fieldURL = field.map { context.url(for: $0) }
        let correction = BiasFieldCorrection(BiasFieldCorrection.Configuration(shrinkFactor: shrink))
        let line = try await blockingWork {
            let image = try NIfTI.readImage(at: source)
            let labels = try maskURL.map { url throws(VolumeError) in
                let labels = try NIfTI.readLabels(at: url, allowedValues: Set(0...255))
                guard labels.hasSameGrid(as: image) else {
                    throw VolumeError(
                        .gridMismatch, file: url.path,
                        detail: "mask grid \(labels.shape) differs from the image grid \(image.shape) or its affine")
                }
                return labels
            }
            let clock = ContinuousClock()
            let start = clock.now
            let result: BiasFieldCorrection.Result
            do throws(VolumeError) {
                result = try correction.run(image, mask: labels)
            } catch {
                throw error.inFile(source.path)
            }
            let elapsed = clock.now - start
            try NIfTI.write(result.corrected, to: target)
            if let fieldURL { try NIfTI.write(result.field, to: fieldURL) }
            let inside = zip(result.field.voxels, result.mask.voxels).filter { $0.1 != 0 }.map(\.0)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            return """
                \(source.path) → \(target.path): N4 in \(String(format: "%.3f", seconds)) s, shrink \(shrink), \
                iterations \(result.iterations.map(String.init).joined(separator: "+")), \
                field \(TextFormat.number(Double(inside.min() ?? 1)))…\(TextFormat.number(Double(inside.max() ?? 1))) \
                inside the mask (\(inside.count) voxels)

                """
        }
        context.output.write(line)
    }
}
