import Dispatch

/// Runs file work (listing a dataset, writing and hashing NIfTI files, preprocessing a delivered
/// label) on a Dispatch queue, so it never occupies a thread of Swift's cooperative pool while it
/// waits on the disk.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "activeseg.ingest.files", attributes: .concurrent)

    static func run<Value: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result(catching: body)) }
        }
        return try result.get()
    }
}
