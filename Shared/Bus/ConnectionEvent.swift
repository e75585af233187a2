/// A change of a connection's state, as libnats reports it.
public enum ConnectionEvent: Sendable, Hashable {
    /// The socket to the server was lost; the client is reconnecting and buffers publishes.
    case disconnected
    /// The client is connected again; subscriptions were re-established.
    case reconnected
    /// The connection is closed for good (closed, drained, or out of reconnect attempts).
    case closed
}
