/// A failure reported to the person at the terminal: what went wrong, about what, and what to do
/// next.
public struct CommandLineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The kind of failure; it decides the exit status.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// The process exit status this kind of failure ends with.
        public let exitStatus: ExitStatus
        private init(_ name: String, _ exitStatus: ExitStatus) {
            self.name = name
            self.exitStatus = exitStatus
        }
        public var description: String { name }

        /// The command line asks for something that cannot be done as written.
        public static let usage = Code("usage", .usage)
        /// An input file is missing or holds values the command cannot use.
        public static let dataError = Code("dataError", .dataError)
        /// A service the command needs does not answer.
        public static let unavailable = Code("unavailable", .unavailable)
        /// The work failed.
        public static let failed = Code("failed", .failure)
    }

    public var code: Code
    /// The file, service or argument concerned.
    public var subject: String
    public var detail: String
    /// What the person can do about it, when there is something to say.
    public var hint: String?

    public init(_ code: Code, subject: String, detail: String, hint: String? = nil) {
        self.code = code
        self.subject = subject
        self.detail = detail
        self.hint = hint
    }

    public var description: String { "\(subject): \(detail)" }
}
