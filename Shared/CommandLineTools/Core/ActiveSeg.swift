import ArgumentParser

/// The `activeseg` command: the root every subcommand hangs from.
public struct ActiveSeg: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "activeseg",
        abstract: "Active learning for 3D brain-tumor segmentation: the local stack, data and tools.",
        discussion: """
            Exit status: 0 success, 1 the work failed, 64 usage error, 65 bad or missing input data, \
            69 a service is unavailable.
            """,
        subcommands: [
            StackCommand.self, SynthCommand.self, IngestCommand.self, ExperimentCommand.self,
            ReportCommand.self, VolumeCommand.self, StatsCommand.self, ModelCommand.self,
            CaseCommand.self, EventsCommand.self, LabelCommand.self, BenchCommand.self, PingCommand.self,
        ])

    public init() {}
}
