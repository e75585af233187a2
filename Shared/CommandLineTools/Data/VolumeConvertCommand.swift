import ArgumentParser
import Foundation
import Volume

/// `activeseg volume convert IN OUT`: any NIfTI the reader accepts, written back as NIfTI,
/// optionally reoriented and resampled.
struct VolumeConvertCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Rewrite a NIfTI file, optionally reoriented and resampled.",
        discussion: """
            Reorientation permutes and flips axes only, so voxels are kept exactly. Resampling keeps \
            the field of view; --spacing is along the output axes. The output keeps the input's \
            datatype, scaling and NIfTI version unless --datatype says otherwise; an .nii.gz name \
            writes gzip.
            """)

    /// How voxel values are interpolated when the spacing changes.
    enum Interpolation: String, ExpressibleByArgument, CaseIterable {
        /// Cubic B-spline with Unser's prefilter (images).
        case bspline
        /// Nearest neighbour (labels: values are kept).
        case nearest
    }

    /// The stored voxel type of the output.
    enum Datatype: String, ExpressibleByArgument, CaseIterable {
        case uint8, int8, int16, uint16, int32, float32, float64

        var nifti: NIfTIDatatype {
            switch self {
            case .uint8: .uint8
            case .int8: .int8
            case .int16: .int16
            case .uint16: .uint16
            case .int32: .int32
            case .float32: .float32
            case .float64: .float64
            }
        }
    }

    @Argument(help: "The input .nii or .nii.gz file.")
    var input: String

    @Argument(help: "The output file; its name ends in .nii or .nii.gz.")
    var output: String

    @Option(help: "Target axis codes, as nibabel names them: RAS, LPS (ITK's RAI), PIR, …")
    var orient: String?

    @Option(help: "Target voxel size in mm: one value for all axes, or three as X,Y,Z.")
    var spacing: String?

    @Option(help: "Interpolation when resampling: bspline (images) or nearest (labels).")
    var interp: Interpolation = .bspline

    @Option(help: "Stored datatype of the output (default: the input's).")
    var datatype: Datatype?

    func validate() throws {
        if let orient {
            do {
                _ = try AxisCodes(orient)
            } catch {
                throw ValidationError("--orient \(orient): \(error.detail)")
            }
        }
        if let spacing { _ = try Self.parseSpacing(spacing) }
        for name in [input, output] where !(name.hasSuffix(".nii") || name.hasSuffix(".nii.gz")) {
            throw ValidationError("\(name) is not a NIfTI file name: it must end in .nii or .nii.gz")
        }
    }

    static func parseSpacing(_ text: String) throws -> SIMD3<Double> {
        let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == 1 || values.count == 3, let numbers = values as? [Double],
            numbers.allSatisfy({ $0 > 0 && $0.isFinite })
        else {
            throw ValidationError("--spacing \(text): give one positive number of mm, or three as X,Y,Z")
        }
        return numbers.count == 1 ? SIMD3(repeating: numbers[0]) : SIMD3(numbers[0], numbers[1], numbers[2])
    }

    func run(in context: CommandContext) async throws {
        let source = context.url(for: input)
        let target = context.url(for: output)
        let codes = try orient.map { code throws(VolumeError) in try AxisCodes(code) }
        let spacing = try spacing.map(Self.parseSpacing)
        let (interp, datatype) = (interp, datatype?.nifti)
        let line = try await blockingWork {
            let info = try NIfTI.fileInfo(at: source)
            var volume = try NIfTI.readImage(at: source, requireContent: false)
            let before = try Self.geometry(of: volume)
            if let codes { volume = try volume.reoriented(to: codes) }
            if let spacing {
                do throws(VolumeError) {
                    volume =
                        switch interp {
                        case .bspline: try volume.resampledBSpline(spacing: spacing)
                        case .nearest: try volume.resampledNearest(spacing: spacing)
                        }
                } catch {
                    throw error.inFile(source.path)
                }
            }
            let scaled = info.slope != 0 && info.slope.isFinite && datatype == nil
            try NIfTI.write(
                volume, to: target, datatype: datatype ?? info.datatype ?? .float32,
                version: info.version == 2 ? .nifti2 : .nifti1,
                slope: scaled ? info.slope : 1, intercept: scaled ? info.intercept : 0)
            return "\(source.path): \(before)\n→ \(target.path): \(try Self.geometry(of: volume))\n"
        }
        context.output.write(line)
    }

    private static func geometry(of volume: Volume) throws(VolumeError) -> String {
        let spacing = [volume.spacing.x, volume.spacing.y, volume.spacing.z].map(TextFormat.number)
        return "\(volume.shape), \(spacing.joined(separator: " × ")) mm, \(try volume.axisCodes())"
    }
}
