import ArgumentParser
import Foundation
import Volume

/// `activeseg volume register MOVING FIXED OUT`: rigid registration of one image onto another (T2
/// onto T1c), the moved image written on the fixed grid.
struct VolumeRegisterCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Rigidly register MOVING onto FIXED and write it on FIXED's grid.",
        discussion: """
            Mattes mutual information over a 4-2-1 pyramid with regular-step gradient descent, \
            started from the images' centres of mass; the moved image is resampled by cubic \
            B-spline (zero where it does not reach). A registration that fails (too little overlap, \
            a metric that got worse, implausible motion) is a data error and writes nothing. \
            --transform-out writes the six parameters, the rotation centre and the 4×4 world \
            (RAS mm) matrix that maps FIXED's points to MOVING's.
            """)

    @Argument(help: "The image to move (.nii or .nii.gz), e.g. T2.")
    var moving: String

    @Argument(help: "The image whose grid and world the result is on, e.g. T1c.")
    var fixed: String

    @Argument(help: "The moved image; its name ends in .nii or .nii.gz.")
    var output: String

    @Option(name: .customLong("transform-out"), help: "Also write the transform as JSON to this file.")
    var transformOut: String?

    func validate() throws {
        for name in [moving, fixed, output] where !(name.hasSuffix(".nii") || name.hasSuffix(".nii.gz")) {
            throw ValidationError("\(name) is not a NIfTI file name: it must end in .nii or .nii.gz")
        }
    }

    /// The transform file's contents.
    struct TransformDescription: Codable, Equatable {
        /// Euler angles about x, y, z (radians), applied as R = Rz · Rx · Ry (ITK's Euler3DTransform).
        var anglesRadians: [Double]
        var anglesDegrees: [Double]
        var translationMM: [Double]
        /// The point the rotation turns about: the fixed grid's centre.
        var centreMM: [Double]
        /// Fixed world (RAS mm) to moving world, row-major.
        var matrix: [[Double]]
        var metric: Double
        var initialMetric: Double
        var overlap: Double

        enum CodingKeys: String, CodingKey {
            case anglesRadians = "angles_radians", anglesDegrees = "angles_degrees"
            case translationMM = "translation_mm", centreMM = "centre_mm", matrix, metric
            case initialMetric = "initial_metric", overlap
        }
    }

    func run(in context: CommandContext) async throws {
        let (movingURL, fixedURL, target) = (
            context.url(for: moving), context.url(for: fixed), context.url(for: output)
        )
        let transformURL = transformOut.map(context.url(for:))
        let line = try await blockingWork {
            let movingImage = try NIfTI.readImage(at: movingURL)
            let fixedImage = try NIfTI.readImage(at: fixedURL)
            let result: RigidRegistration.Result
            do {
                result = try RigidRegistration().register(moving: movingImage, fixed: fixedImage)
            } catch {
                throw VolumeError(.registrationFailed, file: movingURL.path, detail: "\(error)")
            }
            let (moved, _) = try RigidRegistration.resample(
                movingImage, ontoGridOf: fixedImage, through: result.transform)
            let transform = result.transform
            if let transformURL {
                let matrix = transform.matrix
                let description = TransformDescription(
                    anglesRadians: Self.array(transform.angles),
                    anglesDegrees: Self.array(transform.angles * 180 / .pi),
                    translationMM: Self.array(transform.translation), centreMM: Self.array(transform.centre),
                    matrix: (0..<4).map { row in (0..<4).map { matrix[row, $0] } }, metric: result.metric,
                    initialMetric: result.initialMetric, overlap: result.overlap)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                do {
                    try encoder.encode(description).write(to: transformURL, options: .atomic)
                } catch {
                    throw VolumeError(.writeFailed, file: transformURL.path, detail: "\(error.localizedDescription)")
                }
            }
            try NIfTI.write(moved, to: target)
            let degrees = Self.array(transform.angles * 180 / .pi).map { String(format: "%.2f", $0) }
            let millimetres = Self.array(transform.translation).map { String(format: "%.2f", $0) }
            return "\(movingURL.path) → \(target.path): rotation (\(degrees.joined(separator: ", ")))°, "
                + "translation (\(millimetres.joined(separator: ", "))) mm, mutual information "
                + String(format: "%.3f → %.3f nats", -result.initialMetric, -result.metric)
                + String(format: ", overlap %.1f%%\n", result.overlap * 100)
        }
        context.output.write(line)
    }

    private static func array(_ vector: SIMD3<Double>) -> [Double] { [vector.x, vector.y, vector.z] }
}
