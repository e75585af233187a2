import Proto
import SwiftProtobuf

extension RPCResponder {
    /// Answers a service's `Ping` with which build and which worker answers and how long it has
    /// been serving, so a monitor can tell a restarted worker from a healthy one.
    ///
    /// - Parameter started: when the worker started serving; uptime counts from it.
    public static func health(
        _ method: RPCMethod<HealthPing, HealthPong>, instance: String,
        version: String = ProductVersion.current, started: ContinuousClock.Instant = .now
    ) -> RPCResponder {
        RPCResponder(method) { _, _ in
            let (seconds, attoseconds) = (ContinuousClock.now - started).components
            return HealthPong.with {
                $0.service = method.service
                $0.instanceID = instance
                $0.version = version
                $0.uptime = Google_Protobuf_Duration(seconds: seconds, nanos: Int32(attoseconds / 1_000_000_000))
            }
        }
    }
}
