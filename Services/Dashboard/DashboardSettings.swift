import ServiceRuntime

/// What the dashboard reads from its environment beyond `ServiceConfiguration` (NATS, subject
/// prefix, logging).
///
/// Environment keys (an unset or empty key keeps its default):
/// - `ACTIVESEG_DASHBOARD_HOST`: the address the web server binds (default `127.0.0.1`, so the
///   pages are reachable from this machine only; a container binds `0.0.0.0` and publishes its
///   port on the host's loopback).
/// - `ACTIVESEG_DASHBOARD_PORT`: its TCP port, 0 to 65535 (default `8080`; 0 lets the system pick
///   one, which the start-up log line names).
/// - `ACTIVESEG_DASHBOARD_TOKEN`: when set, every request must carry it, as
///   `Authorization: Bearer <token>` or as the password of HTTP basic authentication (any user
///   name), which is how a browser sends it; default: none, every request is answered.
struct DashboardSettings: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var token: AccessToken?

    init() {}

    /// Reads the documented keys; a port that is not a number in range names its key.
    init(environment: [String: String]) throws(ServiceConfigurationError) {
        let value = { (key: String) in environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        host = value("ACTIVESEG_DASHBOARD_HOST") ?? host
        if let text = value("ACTIVESEG_DASHBOARD_PORT") {
            guard let parsed = Int(text), (0...65535).contains(parsed) else {
                throw ServiceConfigurationError(
                    .invalidValue, key: "ACTIVESEG_DASHBOARD_PORT", detail: "expected a port 0–65535, got '\(text)'")
            }
            port = parsed
        }
        token = value("ACTIVESEG_DASHBOARD_TOKEN").map(AccessToken.init)
    }
}
