import Domain

/// A configuration value a service cannot run with, naming the environment key to fix.
public typealias ServiceConfigurationError = CodedError<ServiceConfigurationErrorCode>

/// What is wrong with a configuration value: `invalidValue`, the key is set to something that does
/// not parse or is out of range.
public enum ServiceConfigurationErrorCode: String, CodedErrorCode {
    case invalidValue
}

extension ServiceConfigurationError {
    public init(_ code: Code, key: String, detail: String) { self.init(code, subject: key, detail: detail) }

    /// The environment key.
    public var key: String {
        get { subject }
        set { subject = newValue }
    }
}
