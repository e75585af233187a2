/// A failure of a statistics computation, with the context needed to find the offending input.
public struct StatisticsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of input was rejected.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A sample or mask is too small for the requested quantity (e.g. a t-test on one value).
        public static let tooFewValues = Code("tooFewValues")
        /// Two inputs that must describe the same cases or voxels do not.
        public static let mismatchedInputs = Code("mismatchedInputs")
        /// A parameter is outside its domain (degrees of freedom ≤ 0, a probability outside (0, 1), …).
        public static let invalidParameter = Code("invalidParameter")
        /// A value is NaN or infinite where a finite number is required.
        public static let nonFiniteValue = Code("nonFiniteValue")
    }

    public var code: Code
    /// The input the failure is about (a strategy, a round, a case id, a parameter name).
    public var subject: String
    public var detail: String

    public init(_ code: Code, subject: String, detail: String) {
        self.code = code
        self.subject = subject
        self.detail = detail
    }

    public var description: String { "\(subject): \(detail) [\(code)]" }
}
