import Dispatch
import Foundation

/// Splits `count` independent iterations into a few contiguous ranges run on all cores (the volume
/// kernels here and the synthetic cohort's).
///
/// Volume kernels are memory-bound loops over slabs or lines; a handful of ranges per core keeps the
/// cores busy without paying Dispatch's per-iteration cost on millions of voxels.
public func parallelRanges(_ count: Int, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let pieces = min(count, ProcessInfo.processInfo.activeProcessorCount * 4)
    if pieces <= 1 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let work = RangeBody(body: body)
        DispatchQueue.concurrentPerform(iterations: pieces) { piece in
            let lower = count * piece / pieces
            let upper = count * (piece + 1) / pieces
            if lower < upper { work.body(lower..<upper) }
        }
    }
}

/// The loop body handed to the worker threads. `concurrentPerform` returns only after every range
/// ran, so the body never outlives the call; callers write disjoint parts of their buffers per range.
private struct RangeBody: @unchecked Sendable {
    let body: (Range<Int>) -> Void
}
