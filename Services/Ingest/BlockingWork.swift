import Dispatch

/// Runs file work (listing a dataset, writing and hashing NIfTI files) on a Dispatch queue, so it
/// never occupies a thread of Swift's cooperative pool while it waits on the disk.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "activeseg.ingest.files", attributes: .concurrent)

    static func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
