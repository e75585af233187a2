import ArgumentParser

/// `activeseg volume`: NIfTI inspection and conversion, the building blocks of preprocessing as
/// tools of their own.
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Inspect and convert NIfTI images.",
        subcommands: [VolumeInfoCommand.self, VolumeConvertCommand.self, VolumeN4Command.self])
}
