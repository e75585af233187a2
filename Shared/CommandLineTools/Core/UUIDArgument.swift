import ArgumentParser
import Foundation

/// An id (dataset, case, experiment) given on the command line; a malformed one is a usage error
/// before any service is asked.
struct UUIDArgument: ExpressibleByArgument, Sendable {
    let value: UUID

    init?(argument: String) {
        guard let value = UUID(uuidString: argument) else { return nil }
        self.value = value
    }

    var defaultValueDescription: String { value.uuidString.lowercased() }
}
