import ArgumentParser

/// `activeseg volume`: NIfTI inspection and conversion, the building blocks of preprocessing as
/// tools of their own.
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Inspect, convert and skull-strip NIfTI images.",
        subcommands: [VolumeInfoCommand.self, VolumeConvertCommand.self, VolumeSkullStripCommand.self])
}
