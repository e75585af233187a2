import Foundation
import Testing

@testable import ServiceRuntime

/// A service executable refuses a configuration it cannot use before it logs, connects or builds
/// anything, with exit status 1.
@Suite("Service application")
struct ServiceApplicationTests {
    @Test func anInvalidServiceConfigurationStopsBeforeTheServicesAreBuilt() async {
        var built = false
        let status = await ServiceApplication(service: "selector").status(
            environment: ["ACTIVESEG_LOG_LEVEL": "loud"]
        ) { _ in
            built = true
            return []
        }
        #expect(status == EXIT_FAILURE)
        #expect(!built)
    }

    @Test func anInvalidSettingOfTheServiceStopsBeforeTheServicesAreBuilt() async {
        var built = false
        let application = ServiceApplication(service: "ingest") { _, environment -> Int in
            guard let text = environment["ACTIVESEG_EXAMPLE"], let value = Int(text) else {
                throw ServiceConfigurationError(.invalidValue, key: "ACTIVESEG_EXAMPLE", detail: "not a number")
            }
            return value
        }
        let status = await application.status(environment: ["ACTIVESEG_EXAMPLE": "many"]) { _ in
            built = true
            return []
        }
        #expect(status == EXIT_FAILURE)
        #expect(!built)
    }

    /// A deployment whose NATS password is still the placeholder of .env.example does not start.
    @Test func aPlaceholderPasswordStopsTheServiceBeforeItConnects() async {
        var built = false
        let status = await ServiceApplication(service: "stats").status(
            environment: ["ACTIVESEG_NATS_USER": "stats", "ACTIVESEG_NATS_PASSWORD": "change-me-nats-stats"]
        ) { _ in
            built = true
            return []
        }
        #expect(status == EXIT_FAILURE)
        #expect(!built)
    }
}
