import Bus
import Logging
import Testing

@Suite("Bus configuration from the environment")
struct BusConfigurationTests {
    @Test func readsServersNameAndUserCredentials() throws {
        let configuration = try BusConfiguration(
            environment: [
                "ACTIVESEG_NATS_URL": "nats://a:4222, nats://b:4222,",
                "ACTIVESEG_NATS_USER": "scorer",
                "ACTIVESEG_NATS_PASSWORD": "secret",
                "ACTIVESEG_NATS_TOKEN": "ignored-when-a-user-is-set",
                "ACTIVESEG_NATS_NAME": "scorer-7",
            ], clientName: "scorer")
        #expect(configuration.servers == ["nats://a:4222", "nats://b:4222"])
        #expect(configuration.clientName == "scorer-7")
        #expect(configuration.credentials == .userPassword(user: "scorer", password: "secret"))
    }

    @Test func fallsBackToDefaultsAndTokenCredentials() throws {
        let configuration = try BusConfiguration(environment: ["ACTIVESEG_NATS_TOKEN": "t0k3n"], clientName: "trainer")
        #expect(configuration.servers == [BusConfiguration.defaultServer])
        #expect(configuration.clientName == "trainer")
        #expect(configuration.credentials == .token("t0k3n"))
        #expect(try BusConfiguration(environment: [:]).credentials == .none)
    }

    /// One replica unless set; JetStream keeps at most five, so anything else is refused at start
    /// instead of failing at the first stream.
    @Test func readsTheStreamReplicaCountAndRefusesOneJetStreamCannotKeep() throws {
        #expect(try BusConfiguration(environment: [:]).streamReplicas == 1)
        #expect(try BusConfiguration(environment: ["ACTIVESEG_NATS_REPLICAS": ""]).streamReplicas == 1)
        #expect(try BusConfiguration(environment: ["ACTIVESEG_NATS_REPLICAS": "3"]).streamReplicas == 3)
        for value in ["0", "6", "-1", "three"] {
            let error = #expect(throws: BusError.self) {
                try BusConfiguration(environment: ["ACTIVESEG_NATS_REPLICAS": value])
            }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.description.contains("ACTIVESEG_NATS_REPLICAS") == true, "\(String(describing: error))")
        }
    }

    @Test func reconnectBackOffDoublesUpToItsBound() throws {
        var configuration = try BusConfiguration(environment: [:])
        configuration.reconnectWait = .milliseconds(100)
        configuration.maxReconnectWait = .seconds(1)
        #expect(
            (1...6).map { configuration.reconnectDelay(attempt: $0) } == [
                .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
                .seconds(1),
            ])
    }

    @Test func descriptionLeavesOutPasswordsAndTokens() throws {
        let withPassword = try BusConfiguration(
            environment: [
                "ACTIVESEG_NATS_URL": "nats://scorer:url-secret@a:4222,nats://b:4222",
                "ACTIVESEG_NATS_USER": "scorer",
                "ACTIVESEG_NATS_PASSWORD": "pa55-secret",
            ], clientName: "scorer")
        let withToken = try BusConfiguration(
            environment: ["ACTIVESEG_NATS_TOKEN": "t0k3n-secret"], clientName: "trainer")

        for text in ["\(withPassword)", String(reflecting: withPassword), "\(withPassword.credentials)"] {
            #expect(!text.contains("secret"))
            #expect(text.contains("scorer"))
        }
        #expect("\(withPassword)".contains("nats://scorer:***@a:4222,nats://b:4222"))
        for text in ["\(withToken)", String(reflecting: withToken), "\([withToken])"] {
            #expect(!text.contains("t0k3n"))
            #expect(text.contains("token <redacted>"))
        }
    }

    @Test func aConnectionErrorNamesTheServersWithoutTheirPasswords() async throws {
        // Port 1 refuses at once: no server is needed to see the error.
        var configuration = BusConfiguration(
            servers: ["nats://scorer:url-secret@127.0.0.1:1"], clientName: "scorer",
            credentials: .userPassword(user: "scorer", password: "pa55-secret"))
        configuration.connectTimeout = .milliseconds(200)
        let error = await #expect(throws: BusError.self) {
            try await BusConnection.connect(configuration, logger: Logger(label: "test"))
        }
        let text = try #require(error).description
        #expect(error?.code == .notConnected)
        #expect(!text.contains("secret"), "\(text)")
        #expect(text.contains("nats://scorer:***@127.0.0.1:1"), "\(text)")
    }

    /// The passwords of .env.example are placeholders: a service given one refuses to start and
    /// names the key to set.
    @Test func refusesThePlaceholderPasswordsOfTheExampleSettings() {
        for (key, environment) in [
            (
                "ACTIVESEG_NATS_PASSWORD",
                ["ACTIVESEG_NATS_USER": "scorer", "ACTIVESEG_NATS_PASSWORD": "change-me-nats-scorer"]
            ),
            ("ACTIVESEG_NATS_TOKEN", ["ACTIVESEG_NATS_TOKEN": "Change-Me"]),
        ] {
            let error = #expect(throws: BusError.self) { try BusConfiguration(environment: environment) }
            #expect(error?.code == .invalidConfiguration)
            #expect(error?.description.contains(key) == true, "\(String(describing: error))")
            #expect(error?.description.contains(".env.example") == true, "\(String(describing: error))")
        }
        #expect(
            (try? BusConfiguration(environment: [
                "ACTIVESEG_NATS_USER": "scorer", "ACTIVESEG_NATS_PASSWORD": "x-change-me",
            ]))
                != nil)
    }
}
