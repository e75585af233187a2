import Dispatch

/// Runs the libnats calls that block (connect, flush, request, JetStream API calls, fetch, acks
/// that wait for the server) on threads of a dedicated dispatch queue, never on Swift's
/// cooperative pool: a blocked pool thread would stall unrelated tasks, and the pool has only as
/// many threads as cores.
///
/// The queue is concurrent so that one slow request does not hold up the others; the body runs
/// exactly once and its result resumes the caller's continuation.
enum BlockingCalls {
    private static let queue = DispatchQueue(label: "activeseg.bus.blocking-calls", attributes: .concurrent)

    static func run<Value: Sendable>(
        _ body: @escaping @Sendable () throws(BusError) -> Value
    ) async throws(BusError) -> Value {
        let result: Result<Value, BusError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(BusError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Hands a teardown call to the queue without waiting for it, for `deinit`s.
    static func detach(_ body: @escaping @Sendable () -> Void) {
        queue.async(execute: body)
    }
}
