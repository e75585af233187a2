/// The codes of one library's errors: an enumeration whose cases name the kinds of failure, so
/// callers tell them apart without reading messages. Its raw values are the cases' names, which
/// `description` shows.
public protocol CodedErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible where RawValue == String {
    /// How an error with this code reads; by default `<subject>: <detail> [<code>]`.
    static func describe(_ error: CodedError<Self>) -> String
}

extension CodedErrorCode {
    public var description: String { rawValue }

    public static func describe(_ error: CodedError<Self>) -> String {
        "\(error.subject): \(error.detail) [\(error.code)]"
    }
}

/// A failure with a code, the thing it is about (a case, a parameter, a file, an environment key)
/// and what went wrong, for a person. A library whose errors carry no more than that names one of
/// these for its own codes, e.g. `StatisticsError` is `CodedError<StatisticsErrorCode>`.
public struct CodedError<Codes: CodedErrorCode>: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kinds of failure, e.g. `StatisticsError.Code`.
    public typealias Code = Codes

    public var code: Code
    /// What the failure is about.
    public var subject: String
    /// What went wrong, for a person.
    public var detail: String

    public init(_ code: Code, subject: String, detail: String) {
        self.code = code
        self.subject = subject
        self.detail = detail
    }

    public var description: String { Code.describe(self) }
}
