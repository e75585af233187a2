import ServiceRuntime

/// `activeseg-selector`: picks the cases to annotate next, over NATS request/reply. Configured by
/// the environment (see `ServiceConfiguration`); SIGTERM finishes the requests in hand, then exits.
@main
enum SelectorMain {
    static func main() async {
        await ServiceApplication(service: "selector").run(server: buildSelectorServer)
    }
}
