/// An experiment or dataset id that cannot be a token of an event subject.
public struct EventSubjectError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case emptyScope, invalidCharacter
        }
        private let value: Value

        /// The id is empty, which would leave an empty token in the subject.
        public static let emptyScope = Code(value: .emptyScope)
        /// The id contains `.`, `*`, `>` or whitespace, which NATS gives a meaning in subjects.
        public static let invalidCharacter = Code(value: .invalidCharacter)

        public var description: String {
            switch value {
            case .emptyScope: "empty scope"
            case .invalidCharacter: "invalid character"
            }
        }
    }

    public var code: Code
    /// The refused id.
    public var scope: String
    /// The first offending character, for `.invalidCharacter`.
    public var character: Character?

    public init(code: Code, scope: String, character: Character? = nil) {
        self.code = code
        self.scope = scope
        self.character = character
    }

    public var description: String {
        if let character {
            return "event scope \"\(scope)\": \(code) \(String(reflecting: character)); "
                + "ids in subjects may not contain '.', '*', '>' or whitespace"
        }
        return "event scope \"\(scope)\": \(code)"
    }
}
