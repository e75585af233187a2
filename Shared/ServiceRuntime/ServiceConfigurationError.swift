/// A configuration value a service cannot run with, naming the environment key to fix.
public struct ServiceConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The key is set to something that does not parse or is out of range.
        public static let invalidValue = Code("invalidValue")
    }

    public var code: Code
    /// The environment key.
    public var key: String
    public var detail: String

    public init(_ code: Code, key: String, detail: String) {
        self.code = code
        self.key = key
        self.detail = detail
    }

    public var description: String { "\(key): \(detail) [\(code)]" }
}
