import Bus
import Volume

/// The words an error is reported with: what went wrong, and on a second line what to do next.
struct ErrorReport {
    var message: String
    var hint: String?

    init(_ error: any Error) {
        switch error {
        case let error as CommandLineError:
            message = error.description
            hint = error.hint
        case let error as VolumeError:
            (message, hint) = Self.words(for: error)
        case let error as BusError where ExitStatus(for: error) == .unavailable:
            message = "NATS: \(error)"
            hint =
                "is the stack up? `activeseg stack status`; the servers are ACTIVESEG_NATS_URL, "
                + "the credentials ACTIVESEG_NATS_USER/ACTIVESEG_NATS_PASSWORD or ACTIVESEG_NATS_TOKEN"
        default:
            message = "\(error)"
            hint = nil
        }
    }

    var text: String {
        "activeseg: \(message)\n" + (hint.map { "hint: \($0)\n" } ?? "")
    }

    private static func words(for error: VolumeError) -> (String, String?) {
        let file = error.file ?? "input"
        switch error.code {
        case .missingFile:
            return (
                "file not found: \(file)" + (error.detail == "no such file" ? "" : " (\(error.detail))"),
                "check the path; relative paths start from the current folder"
            )
        case .notNIfTI, .invalidHeader, .corruptData, .unsupportedDatatype, .unsupportedDimensions:
            return (
                "\(file): \(error.detail)",
                "activeseg reads 3D NIfTI-1/NIfTI-2 images (.nii or .nii.gz) of integer or float voxels"
            )
        case .headerImagePair:
            return ("\(file): \(error.detail)", "convert the pair to one .nii or .nii.gz file, e.g. with nibabel")
        case .missingTemplate:
            return ("\(error)", "run scripts/fetch-template, pass --template-dir, or use --anatomy phantom")
        case .writeFailed:
            return ("cannot write \(file): \(error.detail)", "check that the folder exists and is writable")
        default:
            return ("\(error)", nil)
        }
    }
}
