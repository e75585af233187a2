import Dispatch

/// Runs long synchronous work (voxel loops, file writes) on a Dispatch queue, so it does not hold
/// one of Swift's cooperative threads for seconds.
func blockingWork<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
