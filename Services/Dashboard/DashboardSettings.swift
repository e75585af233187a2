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
/// - `ACTIVESEG_DASHBOARD_EVENT_LIMIT`: how many events the dashboard holds in memory, at least 1
///   (default 100000, see `EventLog`).
/// - `ACTIVESEG_DASHBOARD_PICTURE_LIMIT`: how many overlay pictures of picks it keeps in memory once
///   drawn, at least 1 (default 256, see `PickPictures`).
struct DashboardSettings: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    var token: AccessToken?
    var eventLimit = EventLog.defaultLimit
    var pictureLimit = PickPictures.defaultCapacity

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
        eventLimit = try Self.count(value, "ACTIVESEG_DASHBOARD_EVENT_LIMIT") ?? eventLimit
        pictureLimit = try Self.count(value, "ACTIVESEG_DASHBOARD_PICTURE_LIMIT") ?? pictureLimit
    }

    private static func count(_ value: (String) -> String?, _ key: String) throws(ServiceConfigurationError) -> Int? {
        guard let text = value(key) else { return nil }
        guard let parsed = Int(text), parsed >= 1 else {
            throw ServiceConfigurationError(
                .invalidValue, key: key, detail: "expected a whole number ≥ 1, got '\(text)'")
        }
        return parsed
    }
}
