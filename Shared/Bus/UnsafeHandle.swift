/// A raw libnats handle handed between threads: either an object libnats documents as safe to use
/// from any thread (connection, subscription, JetStream context), or one passed once from the
/// thread that produced it to its single owner (a fetched message). The Swift owner that wraps
/// the handle states which.
struct UnsafeHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
