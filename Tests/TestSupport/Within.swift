/// A test that waits on a real server gave up: what it waited for, so the failure says which step hung.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public var what: String
    public var description: String { "gave up waiting for \(what)" }

    public init(what: String) {
        self.what = what
    }
}

/// Runs `body`, cancelling it and failing with ``DeadlineExceeded`` after `limit`: a guard against a
/// hanging test, not a speed requirement.
public func within<Value: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw DeadlineExceeded(what: what)
        }
        return value
    }
}
