/// A rejected scoring or selection input, with what a person needs to find it.
public struct ActiveLearningError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of input was rejected.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A budget (K, k) or fraction outside its domain.
        public static let invalidParameter = Code("invalidParameter")
        /// Maps or feature vectors whose sizes disagree.
        public static let mismatchedSizes = Code("mismatchedSizes")
        /// A map with no voxels, or an accumulator without samples.
        public static let empty = Code("empty")
        /// NaN where a probability or score is required.
        public static let nonFiniteValue = Code("nonFiniteValue")
        /// The same case id, or source name, twice among the candidates.
        public static let duplicateCase = Code("duplicateCase")
    }

    public var code: Code
    /// The case, parameter or map the failure is about.
    public var subject: String
    public var detail: String

    public init(_ code: Code, subject: String, detail: String) {
        self.code = code
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(subject): \(detail) [\(code)]" }
}
