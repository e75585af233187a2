import Domain

extension Identifier {
    /// The id whose wire form a request or job field holds, or the `invalidArgument` that names
    /// the field: a malformed id is the caller's mistake, never worth a retry.
    public init(wireForm text: String, field: String) throws(RPCError) {
        guard let id = Self(wireForm: text) else {
            throw RPCError(.invalidArgument, "\(field) must be a UUID, got '\(text)'", details: ["field": field])
        }
        self = id
    }

    /// The id an optional field holds, nil when the field is empty (no filter, or no experiment).
    public static func optional(wireForm text: String, field: String) throws(RPCError) -> Self? {
        text.isEmpty ? nil : try Self(wireForm: text, field: field)
    }
}
