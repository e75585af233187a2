/// Where a service serves its Prometheus metrics (`ServiceConfiguration.metrics`), read from the
/// environment.
///
/// - `ACTIVESEG_METRICS_PORT`: the TCP port of `GET /metrics`; unset or empty, the service serves
///   none (several workers of one service share a host in the local stack, and one fixed port would
///   let only the first of them start); `0` takes any free port, which the service logs.
/// - `ACTIVESEG_METRICS_HOST`: the address it binds (default `127.0.0.1`; compose sets `0.0.0.0`,
///   so Prometheus reaches it over the project's network while no port is published).
public struct MetricsConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    /// The configuration the environment asks for, or nil where it asks for no endpoint.
    public init?(environment: [String: String]) throws(ServiceConfigurationError) {
        guard let text = environment["ACTIVESEG_METRICS_PORT"], !text.isEmpty else { return nil }
        guard let port = Int(text), (0...65535).contains(port) else {
            throw ServiceConfigurationError(
                .invalidValue, key: "ACTIVESEG_METRICS_PORT",
                detail: "expected a TCP port from 0 to 65535, got '\(text)'")
        }
        let host = environment["ACTIVESEG_METRICS_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        self.init(host: host, port: port)
    }
}
