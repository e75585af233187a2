import ArgumentParser

/// `activeseg volume`: NIfTI inspection and conversion, the building blocks of preprocessing as
/// tools of their own.
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Inspect, convert, bias-correct, register and skull-strip NIfTI images.",
        subcommands: [
            VolumeInfoCommand.self, VolumeConvertCommand.self, VolumeN4Command.self, VolumeRegisterCommand.self,
            VolumeSkullStripCommand.self,
        ])
}
