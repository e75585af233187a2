import Foundation
import Testing
@testable import Neural

/// Work handed to `ComputeThreads.offload` leaves Swift's cooperative pool free for other tasks.
@Suite struct OffloadTests {
    /// Busy-waits for `seconds` on the calling thread, as a training step does.
    static func spin(_ seconds: Double) -> Int {
        let end = Date().addingTimeInterval(seconds)
        var turns = 0
        while Date() < end { turns &+= 1 }
        return turns
    }

    @Test func offloadedComputeLeavesTheCooperativePoolFree() async throws {
        // One blocking job per core: on the cooperative pool (one thread per core) they would hold
        // every thread, and the ticking task below could not run until they finished.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let clock = ContinuousClock()
        let started = clock.now
        let ticks = Task {
            var count = 0
            while clock.now - started < .seconds(1) {
                try await Task.sleep(for: .milliseconds(10))
                count += 1
            }
            return count
        }
        let jobs = (0..<cores).map { _ in Task { try await ComputeThreads.offload { Self.spin(1.5) } } }
        let tickCount = try await ticks.value
        for job in jobs { #expect(try await job.value > 0) }
        // 100 ticks at most; a pool blocked by the jobs would give 0–1 until 1.5 s had passed.
        #expect(tickCount >= 20, "the cooperative pool ticked \(tickCount) times in the first second")
    }

    @Test func offloadKeepsTheThreadCountAndRethrows() async throws {
        struct Failure: Error {}
        let count = try await ComputeThreads.$count.withValue(3) { try await ComputeThreads.offload { ComputeThreads.count } }
        #expect(count == 3)
        await #expect(throws: Failure.self) { try await ComputeThreads.offload { throw Failure() } }
    }
}
