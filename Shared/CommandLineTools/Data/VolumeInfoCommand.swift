import ArgumentParser
import Volume

/// `activeseg volume info FILE`: geometry, storage and value range of a NIfTI file.
struct VolumeInfoCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a NIfTI file's dims, spacing, affine, datatype, orientation and value range.")

    @Argument(help: "A .nii or .nii.gz file.")
    var file: String

    @Flag(help: "Print the description as JSON.")
    var json = false

    func run(in context: CommandContext) async throws {
        let url = context.url(for: file)
        let description = try await blockingWork {
            let info = try NIfTI.fileInfo(at: url)
            let volume = try NIfTI.readImage(at: url, requireContent: false)
            return try VolumeDescription(file: url.path, info: info, volume: volume)
        }
        context.output.write(json ? try JSONOutput.encode(description) : description.text)
    }
}
