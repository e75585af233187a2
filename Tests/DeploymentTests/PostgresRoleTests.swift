import Foundation
import Logging
import Store
import TestSupport
import Testing

/// deploy/postgres/10-activeseg-role.sh, run as the postgres image runs it at first start, against
/// the local stack's server: the services' role it creates migrates the schema and works in its
/// database, but is no superuser and can create neither roles nor databases.
@Suite(.needsLocalStack, .tags(.stack)) struct PostgresRoleTests {
    static let script = "deploy/postgres/10-activeseg-role.sh"

    static let logger = Logger(label: "activeseg.deployment-tests") { _ in SwiftLogNoOpLogHandler() }

    /// The stack's server as its superuser, the way the image's entrypoint hands it to the script.
    struct Server {
        var dsn: String
        var host: String
        var port: Int
        var user: String
        var password: String
        var database: String

        init() throws {
            let dsn = try #require(ProcessInfo.processInfo.environment["ACTIVESEG_POSTGRES_DSN"])
            let url = try #require(URLComponents(string: dsn), "the stack's DSN is not a URI: \(dsn)")
            self.dsn = dsn
            host = url.host ?? "127.0.0.1"
            port = url.port ?? 5432
            user = try #require(url.user)
            password = url.password ?? ""
            database = String(url.path.dropFirst())
        }

        /// Runs the init script with the environment compose gives the postgres container.
        func initialise(
            role: String, password rolePassword: String, database applicationDatabase: String
        )
            async throws -> CommandOutcome
        {
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "PGHOST": host, "PGPORT": String(port), "PGPASSWORD": password,
                "POSTGRES_USER": user, "POSTGRES_PASSWORD": password, "POSTGRES_DB": database,
                "ACTIVESEG_DB_USER": role, "ACTIVESEG_DB_PASSWORD": rolePassword,
                "ACTIVESEG_DB_NAME": applicationDatabase,
            ]
            return try await ExternalCommand.run(
                try ExternalCommand.locate("bash", package: "bash"), [PostgresRoleTests.script],
                in: ComposeDeployment.checkout, environment: environment)
        }

        /// Drops the database and the role, whatever state the test left them in.
        func remove(role: String, database applicationDatabase: String) async throws {
            let admin = PostgresClient(configuration: PostgresConfiguration(connectionString: dsn), logger: logger)
            do {
                _ = try await admin.query("DROP DATABASE IF EXISTS \(identifier: applicationDatabase) WITH (FORCE)")
                _ = try await admin.query("DROP ROLE IF EXISTS \(identifier: role)")
            } catch {
                await admin.shutdown()
                throw error
            }
            await admin.shutdown()
        }
    }

    static func uniqueName() -> String {
        "activeseg_role_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    }

    @Test func theServicesMigrateAsAnApplicationRoleThatIsNoSuperuser() async throws {
        let server = try Server()
        let (role, database, password) = (Self.uniqueName(), Self.uniqueName(), "test-\(UUID().uuidString)")
        var failure: (any Error)?
        do {
            let outcome = try await server.initialise(role: role, password: password, database: database)
            try #require(outcome.status == 0, "the init script failed: \(outcome.standardError)")

            var url = URLComponents()
            (url.scheme, url.host, url.port, url.path) = ("postgresql", server.host, server.port, "/\(database)")
            (url.user, url.password) = (role, password)
            let store = PostgresClient(
                configuration: try PostgresConfiguration(environment: ["ACTIVESEG_POSTGRES_DSN": url.string!]),
                logger: Self.logger)
            do {
                try await store.migrate()
                try await store.migrate()  // a restarted service finds the schema in place
                let rows = try await store.query(
                    """
                    SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls,
                        (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user)
                            AS owned_tables
                    FROM pg_roles WHERE rolname = current_user
                    """)
                let row = try #require(rows.first)
                for privilege in ["rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls"] {
                    #expect(try row.decode(privilege, as: Bool.self) == false, "\(role) has \(privilege)")
                }
                #expect(try row.decode("owned_tables", as: Int.self) > 0, "the migrations created no tables")
                await #expect(throws: StoreError.self) {
                    _ = try await store.query("CREATE ROLE \(identifier: role + "_2")")
                }
                await #expect(throws: StoreError.self) {
                    _ = try await store.query("CREATE DATABASE \(identifier: database + "_2")")
                }
                await #expect(throws: StoreError.self) {
                    _ = try await store.query("ALTER ROLE \(identifier: role) SUPERUSER")
                }
            } catch {
                failure = error
            }
            await store.shutdown()
        } catch {
            failure = error
        }
        try await server.remove(role: role, database: database)
        if let failure { throw failure }
    }

    /// A deployment that kept a placeholder password of .env.example does not initialise.
    @Test(arguments: ["change-me-postgres-activeseg", "CHANGE-ME"])
    func thePlaceholderPasswordIsRefused(_ placeholder: String) async throws {
        let server = try Server()
        let (role, database) = (Self.uniqueName(), Self.uniqueName())
        let outcome = try await server.initialise(role: role, password: placeholder, database: database)
        let admin = PostgresClient(
            configuration: PostgresConfiguration(connectionString: server.dsn), logger: Self.logger)
        let created = try await admin.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)").count
        await admin.shutdown()
        try await server.remove(role: role, database: database)
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains("ACTIVESEG_DB_PASSWORD"), "\(outcome.standardError)")
        #expect(created == 0, "the role was created with a placeholder password")
    }
}
