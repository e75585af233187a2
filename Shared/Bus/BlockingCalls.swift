/// Runs the libnats calls that block (connect, flush, publish, JetStream API calls, acks that wait
/// for the server) on threads of their own, never on Swift's cooperative pool: a blocked pool
/// thread would stall unrelated tasks, and the pool has only as many threads as cores.
///
/// Request/reply does not block (see `ReplyInbox`), and each pull consumer fetches on a thread of
/// its own, so the calls that remain here each wait at most an API or connect timeout.
enum BlockingCalls {
    /// Sized for every worker of a process acking or calling the JetStream API at once.
    private static let pool = BlockingThreadPool(name: "activeseg.bus.blocking-calls", maxThreads: 64)

    static func run<Value: Sendable>(
        _ body: @escaping @Sendable () throws(BusError) -> Value
    ) async throws(BusError) -> Value {
        try await pool.run(body)
    }

    /// Hands a teardown call to a blocking-call thread without waiting for it, for `deinit`s.
    static func detach(_ body: @escaping @Sendable () -> Void) {
        pool.submit(body)
    }
}
