/// A one-line progress bar redrawn in place on a terminal, and nothing at all elsewhere, so that
/// logs and pipes receive only results.
struct ProgressBar: Sendable {
    let label: String
    let sink: any OutputSink
    let isVisible: Bool
    private let width = 30

    init(_ label: String, context: CommandContext) {
        self.label = label
        sink = context.errors
        isVisible = context.errorsIsTerminal
    }

    func update(_ done: Int, of total: Int) {
        guard isVisible, total > 0 else { return }
        let filled = width * min(done, total) / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        sink.write("\r\(label) [\(bar)] \(done)/\(total)" + (done >= total ? "\n" : ""))
    }
}
