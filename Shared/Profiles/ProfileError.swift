/// A profile that cannot be resolved.
public struct ProfileError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        /// The contract's `PROFILE_UNSPECIFIED` (or a value this build does not know).
        public static let unspecified = Code(name: "unspecified")
        /// A stored profile name that no profile has.
        public static let unknownName = Code(name: "unknownName")
        public var description: String { name }
    }

    public var code: Code
    public var detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "profile \(code): \(detail)" }
}
