import Foundation
import Testing

@testable import Neural

/// Work handed to `ComputeThreads.offload` leaves Swift's cooperative pool free for other tasks.
@Suite struct OffloadTests {
    @Test func offloadedComputeLeavesTheCooperativePoolFree() async throws {
        // One blocked job per core. On the cooperative pool (one thread per core) they would hold
        // every thread, the task that releases them could not run, and each would give up after
        // 30 s and report false.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let release = DispatchSemaphore(value: 0)
        let jobs = (0..<cores).map { _ in
            Task {
                try await ComputeThreads.offload { release.wait(timeout: .now() + 30) == .success }
            }
        }
        await Task { for _ in 0..<cores { release.signal() } }.value
        for job in jobs { #expect(try await job.value) }
    }

    @Test func offloadKeepsTheThreadCountAndRethrows() async throws {
        struct Failure: Error {}
        let count = try await ComputeThreads.$count.withValue(3) {
            try await ComputeThreads.offload { ComputeThreads.count }
        }
        #expect(count == 3)
        await #expect(throws: Failure.self) { try await ComputeThreads.offload { throw Failure() } }
    }
}
