import Foundation

extension ComputeThreads {
    /// Runs `body` on a thread of its own, outside Swift's cooperative pool, and suspends the caller
    /// until it returns, keeping the caller's `ComputeThreads.count`.
    ///
    /// Training and inference hold their thread for seconds to minutes. On the cooperative pool, which
    /// has one thread per core, they would starve every other task of the process: NATS heartbeats,
    /// job-progress acknowledgements and health pings. The caller must not touch what `body` uses
    /// until it returns, which awaiting guarantees.
    public static func offload<Result>(_ body: @escaping () throws -> Result) async throws -> Result {
        let count = ComputeThreads.count
        let work = UncheckedSendable(body)
        let outcome: UncheckedSendable<Result> = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let value = try ComputeThreads.$count.withValue(count) { try work.value() }
                    continuation.resume(returning: UncheckedSendable(value))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            // Deep Swift call chains plus oneDNN's kernels: more than the 512 KiB default.
            thread.stackSize = 8 << 20
            thread.name = "activeseg-work"
            thread.start()
        }
        return outcome.value
    }
}
