import Foundation
import ServiceRuntime

/// Checks of job fields that make a job invalid (a permanent failure) rather than retryable.
public enum JobField {
    /// `text` as a UUID, or an `invalidArgument` naming the field.
    public static func uuid(_ text: String, field: String) throws(RPCError) -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw RPCError(.invalidArgument, "\(field) '\(text)' is not a UUID", details: [field: text])
        }
        return id
    }
}
