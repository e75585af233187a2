import ArgumentParser
import Foundation

/// `activeseg bench`: the project's benchmark programs, found beside this executable (they are
/// products of the same build) and run with the arguments given, so every figure the docs quote
/// comes from one command.
struct BenchCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark: selection, preprocess, train, infer or training.",
        discussion: """
            Figures are meaningful from a release build: `swift build -c release` builds activeseg \
            and the benchmarks side by side. Arguments after the benchmark's name go to it: \
            `activeseg bench train B --steps 3`, `activeseg bench selection 5`, \
            `activeseg bench preprocess 3 --t2-other-grid`, `activeseg bench infer --skip-windows`, \
            `activeseg bench training --seeds 10` (every training-set size of a default comparison, \
            trained and tested per seed, with the all-background check).
            """)

    enum Benchmark: String, ExpressibleByArgument, CaseIterable {
        /// Redundancy-restricted selection at ten times the paper's K and k.
        case selection
        /// Preprocessing of one BraTS-sized case.
        case preprocess
        /// U-Net training steps.
        case train
        /// Whole-volume and sliding-window inference.
        case infer
        /// Whole training runs of a profile over seeds and training-set sizes: test Dice and collapse.
        case training

        var program: String {
            switch self {
            case .selection: "selection-benchmark"
            case .preprocess: "preprocess-benchmark"
            case .train, .infer: "neural-benchmark"
            case .training: "training-benchmark"
            }
        }

        /// The neural benchmark takes its mode as its first argument.
        var leadingArguments: [String] {
            switch self {
            case .train, .infer: [rawValue]
            case .selection, .preprocess, .training: []
            }
        }
    }

    @Argument(help: "selection, preprocess, train, infer or training.")
    var benchmark: Benchmark

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the benchmark.")
    var arguments: [String] = []

    func run(in context: CommandContext) async throws {
        guard let folder = context.executable?.deletingLastPathComponent() else {
            throw CommandLineError(.failed, subject: "bench", detail: "cannot tell where this executable lives")
        }
        let program = folder.appendingPathComponent(benchmark.program)
        guard FileManager.default.isExecutableFile(atPath: program.path) else {
            throw CommandLineError(
                .failed, subject: "bench \(benchmark.rawValue)", detail: "\(program.path) is not built",
                hint: "build it beside activeseg: `swift build -c release --product \(benchmark.program)`")
        }
        let status: Int32
        do {
            status = try await ChildProcess.run(
                program, arguments: benchmark.leadingArguments + arguments,
                in: context.workingDirectory, context: context)
        } catch {
            throw CommandLineError(
                .failed, subject: "bench \(benchmark.rawValue)",
                detail: "cannot start \(program.path): \(error.localizedDescription)")
        }
        guard status == 0 else {
            throw CommandLineError(
                .failed, subject: "bench \(benchmark.rawValue)",
                detail: "\(benchmark.program) exited with status \(status)")
        }
    }
}
