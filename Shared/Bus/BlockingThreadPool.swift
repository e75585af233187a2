import Dispatch
import Foundation
import Synchronization

/// Threads of its own for libnats calls that block, started as soon as a call finds no idle
/// thread, up to `maxThreads`.
///
/// A concurrent `DispatchQueue` is not enough on Linux: libdispatch adds a thread only every so
/// often while its threads are blocked, so under parallel load a call that should take 2 ms waited
/// seconds behind calls that each waited for a server. Here a call waits for a thread only when
/// `maxThreads` calls are blocked at once.
///
/// `@unchecked Sendable`: the job queue and the thread counts are guarded by `state`, and each
/// queued job is matched by one signal of `ready`, so a woken thread always finds a job.
final class BlockingThreadPool: @unchecked Sendable {
    private struct State {
        /// `nil` tells the thread that takes it to exit.
        var jobs: [(@Sendable () -> Void)?] = []
        var threads = 0
        var waiting = 0
    }

    let name: String
    let maxThreads: Int
    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)

    init(name: String, maxThreads: Int) {
        precondition(maxThreads > 0, "a blocking-call pool needs at least one thread")
        self.name = name
        self.maxThreads = maxThreads
    }

    /// Queues `job`, starting a thread for it when every running thread is busy.
    func submit(_ job: @escaping @Sendable () -> Void) {
        enqueue(job)
    }

    /// Lets every thread exit once the jobs queued so far have run; submit nothing afterwards.
    func shutDown() {
        let threads = state.withLock { $0.threads }
        for _ in 0..<threads { enqueue(nil) }
    }

    /// Runs `body` on one of the pool's threads and resumes the caller with its result.
    func run<Value: Sendable>(
        _ body: @escaping @Sendable () throws(BusError) -> Value
    ) async throws(BusError) -> Value {
        let result: Result<Value, BusError> = await withCheckedContinuation { continuation in
            submit {
                do throws(BusError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Runs `body` on one of the pool's threads while the calling thread waits, for synchronous
    /// APIs whose callers expect to block (the artifact store's). No task or executor is involved,
    /// so a caller on Swift's cooperative pool cannot deadlock waiting for a pool thread of its own.
    func wait<Value>(_ body: () throws -> Value) throws -> Value {
        var outcome: Result<Value, any Error>?
        let done = DispatchSemaphore(value: 0)
        withoutActuallyEscaping(body) { body in
            withUnsafeMutablePointer(to: &outcome) { outcomePointer in
                // The job reaches `body` and `outcome` through pointers, holding no reference that
                // could outlive this call: it signals only after its last use of either.
                withUnsafePointer(to: body) { bodyPointer in
                    let job = WaitingJob(body: bodyPointer, outcome: outcomePointer)
                    submit {
                        job.outcome.pointee = Result { try job.body.pointee() }
                        done.signal()
                    }
                    done.wait()
                }
            }
        }
        return try outcome!.get()
    }

    private func enqueue(_ job: (@Sendable () -> Void)?) {
        let startThread = state.withLock { state in
            state.jobs.append(job)
            guard job != nil, state.waiting < state.jobs.count, state.threads < maxThreads else { return false }
            state.threads += 1
            return true
        }
        if startThread {
            let thread = Thread { [self] in work() }
            thread.name = name
            thread.start()
        }
        ready.signal()
    }

    private func work() {
        while true {
            state.withLock { $0.waiting += 1 }
            ready.wait()
            let job = state.withLock { state in
                state.waiting -= 1
                let job = state.jobs.removeFirst()
                if job == nil { state.threads -= 1 }
                return job
            }
            guard let job else { return }
            job()
        }
    }
}

/// What a waiting caller lends the job that runs for it; valid until the caller stops waiting.
private struct WaitingJob<Value>: @unchecked Sendable {
    let body: UnsafePointer<() throws -> Value>
    let outcome: UnsafeMutablePointer<Result<Value, any Error>?>
}
