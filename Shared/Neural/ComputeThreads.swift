import CBLAS
import CCompute
import Foundation

/// How many threads the engine's kernels use.
///
/// oneDNN's convolutions and the engine's own kernels (channels for normalisation, voxel ranges for
/// elementwise layers and the 1×1×1 GEMMs) run on one OpenMP thread team (`as_parallel`), and
/// OpenBLAS is kept single-threaded inside each worker, so that no two thread pools compete for the
/// same cores and no pool's idle threads spin while another one works.
public enum ComputeThreads {
    /// The number of workers the kernels split into (at least 1): `ACTIVESEG_COMPUTE_THREADS` when
    /// the environment sets it, else all cores, unless a caller scopes another count with
    /// `ComputeThreads.$count.withValue(n) { … }`. A task-local rather than a global, so concurrent
    /// trainings (or tests) each keep their own count.
    @TaskLocal public static var count: Int = configuredCount

    /// The environment key that sets the process-wide default; its values are parsed by
    /// ``count(parsing:)`` alone.
    public static let environmentKey = "ACTIVESEG_COMPUTE_THREADS"

    /// The process-wide default: `ACTIVESEG_COMPUTE_THREADS` where it holds a usable count, else
    /// every core. The cpu profile's small tensors gain little from a second thread (one training
    /// step of its network: 55 ms on one thread, 63 ms on two, `neural-benchmark train cpu`), so two
    /// single-threaded workers on two cores get through about twice the work of one worker on both.
    public static let configuredCount: Int =
        ProcessInfo.processInfo.environment[environmentKey].flatMap(count(parsing:))
        ?? min(ProcessInfo.processInfo.activeProcessorCount, maximumCount)

    /// The count `text` asks for, or nil unless it is a whole number from 1 to ``maximumCount``; a
    /// service refuses to start on such a value (the engine alone would fall back to every core).
    public static func count(parsing text: String) -> Int? {
        guard let value = Int(text), (1...maximumCount).contains(value) else { return nil }
        return value
    }

    /// The most workers the kernels split into: more than the cores of any machine the engine runs
    /// on, so that a mistyped `ACTIVESEG_COMPUTE_THREADS` cannot start thousands of threads per call.
    public static let maximumCount = 512

    /// OpenBLAS runs single-threaded inside each worker; set once, before the first GEMM.
    static let singleThreadedBLAS: Void = openblas_set_num_threads(1)

    /// The OpenBLAS kernel family picked for this CPU (`OPENBLAS_CORETYPE` overrides it).
    public static var blasCore: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Runs `body(worker)` once for every worker in `0..<workers`, concurrently when more than one.
    static func run(workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { body in
            var work = body
            withUnsafeMutablePointer(to: &work) { context in
                as_parallel(
                    Int32(workers),
                    { context, worker in
                        context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(worker))
                    }, context)
            }
        }
    }

    /// Splits `0..<count` into contiguous ranges, one per worker, and runs them concurrently.
    static func parallelRanges(_ count: Int, minimumPerWorker: Int = 1, _ body: (Range<Int>) -> Void) {
        let workers = max(1, min(Self.count, count / max(1, minimumPerWorker)))
        run(workers: workers) { w in
            let start = count * w / workers
            let end = count * (w + 1) / workers
            if start < end { body(start..<end) }
        }
    }
}

/// Carries a value that is only touched by disjoint workers into a concurrent closure.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A raw pointer handed to concurrent workers that write disjoint parts of the same buffer.
struct SharedPointer<Pointee>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Pointee>
    init(_ base: UnsafeMutablePointer<Pointee>) { self.base = base }
}
