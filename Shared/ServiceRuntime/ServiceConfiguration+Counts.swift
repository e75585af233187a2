extension ServiceConfiguration {
    /// The positive whole number under `key` (a count of `unit`: seconds, attempts), at most
    /// `maximum`, or nil when the key is unset or empty, so the caller keeps its default.
    public static func positiveInteger(
        _ key: String, in environment: [String: String], unit: String,
        maximum: Int = .max
    ) throws(ServiceConfigurationError) -> Int? {
        guard let text = environment[key], !text.isEmpty else { return nil }
        guard let value = Int(text), value >= 1, value <= maximum else {
            let bound = maximum == .max ? "" : " up to \(maximum)"
            throw ServiceConfigurationError(
                .invalidValue, key: key,
                detail: "expected a positive number of \(unit)\(bound), got '\(text)'")
        }
        return value
    }
}
