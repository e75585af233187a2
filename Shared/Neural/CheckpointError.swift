/// A checkpoint that cannot be read or does not fit the network that asks for it.
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// Shorter than its header, its tensor data or its configuration's parameters claim.
        public static let truncated = Code("truncated")
        /// The header is not the JSON a safetensors file must start with.
        public static let malformedHeader = Code("malformedHeader")
        /// A tensor is not float32.
        public static let wrongDType = Code("wrongDType")
        /// A tensor's shape differs from the network's parameter of that name.
        public static let wrongShape = Code("wrongShape")
        /// The network has a parameter that the file lacks, or the file has one the network lacks.
        public static let tensorMismatch = Code("tensorMismatch")
        /// The stored network configuration is absent, unreadable or not the one expected.
        public static let configMismatch = Code("configMismatch")
        /// The stored network configuration is outside `UNet3DConfig.Limits`, so no network is built
        /// from it.
        public static let invalidConfig = Code("invalidConfig")
        /// Reading or writing the file failed.
        public static let io = Code("io")
    }

    public var code: Code
    /// The file (or "<memory>" for in-memory data).
    public var file: String
    public var detail: String

    public init(_ code: Code, file: String, detail: String) {
        self.code = code
        self.file = file
        self.detail = detail
    }

    public var description: String { "checkpoint \(file): \(code): \(detail)" }
}
