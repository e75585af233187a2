import Logging
import Store
import Testing

@Suite struct ConfigurationTests {
    @Test func environmentDefaults() throws {
        let configuration = try PostgresConfiguration(environment: ["ACTIVESEG_POSTGRES_DSN": "postgresql:///activeseg"]
        )
        #expect(configuration.connectionString == "postgresql:///activeseg")
        #expect(configuration.poolSize == PostgresConfiguration.defaultPoolSize)
        #expect(configuration.schema == nil)
        #expect(configuration.connectTimeout == .seconds(10))
        #expect(configuration.statementTimeout == .seconds(60))
    }

    @Test func environmentOverrides() throws {
        let configuration = try PostgresConfiguration(environment: [
            "ACTIVESEG_POSTGRES_DSN": "host=db dbname=activeseg",
            "ACTIVESEG_POSTGRES_POOL_SIZE": "9",
            "ACTIVESEG_POSTGRES_SCHEMA": "staging",
            "ACTIVESEG_POSTGRES_CONNECT_TIMEOUT": "3",
            "ACTIVESEG_POSTGRES_STATEMENT_TIMEOUT": "900",
        ])
        #expect(configuration.poolSize == 9)
        #expect(configuration.schema == "staging")
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.statementTimeout == .seconds(900))
    }

    @Test func aStatementTimeoutOfZeroTurnsItOff() throws {
        let configuration = try PostgresConfiguration(environment: [
            "ACTIVESEG_POSTGRES_DSN": "postgresql:///activeseg", "ACTIVESEG_POSTGRES_STATEMENT_TIMEOUT": "0",
        ])
        #expect(configuration.statementTimeout == nil)
    }

    @Test(arguments: [
        ["ACTIVESEG_POSTGRES_POOL_SIZE": "4"],
        ["ACTIVESEG_POSTGRES_DSN": "postgresql:///activeseg", "ACTIVESEG_POSTGRES_POOL_SIZE": "0"],
        ["ACTIVESEG_POSTGRES_DSN": "postgresql:///activeseg", "ACTIVESEG_POSTGRES_POOL_SIZE": "many"],
        ["ACTIVESEG_POSTGRES_DSN": "postgresql:///activeseg", "ACTIVESEG_POSTGRES_CONNECT_TIMEOUT": "0"],
        ["ACTIVESEG_POSTGRES_DSN": "postgresql:///activeseg", "ACTIVESEG_POSTGRES_STATEMENT_TIMEOUT": "-1"],
        ["ACTIVESEG_POSTGRES_DSN": "postgresql:///activeseg", "ACTIVESEG_POSTGRES_STATEMENT_TIMEOUT": "1m"],
    ])
    func invalidEnvironmentIsRefused(_ environment: [String: String]) {
        let error = #expect(throws: StoreError.self) { try PostgresConfiguration(environment: environment) }
        #expect(error?.code == .configuration)
    }

    /// The passwords of .env.example are placeholders: wherever libpq would read one from the DSN,
    /// the configuration is refused, naming the key, and the password is not repeated.
    @Test(arguments: [
        "postgresql://activeseg:change-me-postgres@postgres:5432/activeseg",
        "postgresql://activeseg@postgres/activeseg?password=CHANGE-ME",
        "host=postgres user=activeseg password='change-me-postgres' dbname=activeseg",
    ])
    func placeholderPasswordsAreRefused(_ dsn: String) {
        let error = #expect(throws: StoreError.self) {
            try PostgresConfiguration(environment: ["ACTIVESEG_POSTGRES_DSN": dsn])
        }
        #expect(error?.code == .configuration)
        #expect(error?.description.contains("ACTIVESEG_POSTGRES_DSN") == true, "\(String(describing: error))")
        #expect(error?.description.contains(".env.example") == true, "\(String(describing: error))")
    }

    @Test func aChosenPasswordIsAccepted() throws {
        let dsn = "postgresql://activeseg:chosen-change-me@postgres/activeseg"
        #expect(try PostgresConfiguration(environment: ["ACTIVESEG_POSTGRES_DSN": dsn]).connectionString == dsn)
    }

    /// libpq's parse errors of a connection URI quote the whole URI; no server is needed to see one.
    @Test func aDSNThatDoesNotParseIsReportedWithoutItsPassword() async throws {
        let client = PostgresClient(
            configuration: PostgresConfiguration(
                connectionString: "postgresql://activeseg:pg-secret@[::1/activeseg"), logger: Logger(label: "test"))
        let error = await #expect(throws: StoreError.self) { try await client.query("SELECT 1") }
        await client.shutdown()
        let text = try #require(error).description
        #expect(error?.code == .connection)
        #expect(!text.contains("pg-secret"), "\(text)")
        #expect(text.contains("postgresql://activeseg:***@[::1/activeseg"), "\(text)")
    }
}
