import Bus
import Logging
import Proto
import ServiceRuntime

/// The selector's methods on `connection`: `Select` and `Ping`, in the `selector` queue group.
func buildSelectorServer(configuration: ServiceConfiguration, connection: BusConnection, logger: Logger) -> RPCServer {
    let handler = SelectionHandler()
    return RPCServer(
        configuration: configuration, connection: connection, ping: SelectorRPC.ping,
        responders: [
            RPCResponder(SelectorRPC.select) { request, logger in try handler.select(request, logger: logger) }
        ], logger: logger)
}
