import Foundation
import Testing

/// compose.yaml, checked with docker-compose itself: no Docker engine is needed to resolve and
/// validate the file, only to run it.
@Suite struct ComposeFileTests {
    /// The workers that `docker compose up --scale` multiplies, and the orchestrator, which runs a
    /// standby instance for failover.
    static let scaledServices = ["scorer", "trainer", "orchestrator"]
    /// The services that keep state in PostgreSQL and migrate its schema at start.
    static let statefulServices = ["ingest", "trainer", "scorer", "orchestrator"]
    /// Services that open dataset sources: ingest reads the cohorts, imported labels and their cases'
    /// source images; the command line writes cohorts (`synth`) and names label files by the paths
    /// it sees (`label import`).
    static let sourceReaders = ["ingest", "cli"]

    @Test func everyExecutableProductRunsInAComposeService() async throws {
        let deployment = try await ComposeDeployment.resolved()
        let products = try PackageManifest.executableProducts(in: ComposeDeployment.checkout)
        #expect(products.contains("activeseg-ingest"), "Package.swift's products were not read: \(products)")
        let deployed = Set(deployment.activesegServices.values.compactMap(ComposeDeployment.executable(of:)))
        #expect(
            products.subtracting(deployed).isEmpty,
            "executables without a compose service: \(products.subtracting(deployed).sorted())")
    }

    @Test func everyServiceRunsTheImageOfTheOneDockerfile() async throws {
        let deployment = try await ComposeDeployment.resolved()
        #expect(deployment.activesegServices.count >= 6)
        let images = Set(deployment.activesegServices.values.compactMap { $0["image"]?.string })
        #expect(images.count == 1, "one image shared by all services, got \(images.sorted())")
        for (name, service) in deployment.activesegServices {
            let context = service["build"]?["context"]?.string ?? service["build"]?.string
            #expect(
                context.map { URL(fileURLWithPath: $0).standardizedFileURL }
                    == ComposeDeployment.checkout.standardizedFileURL, "\(name) builds from \(context ?? "nothing")")
            #expect(
                service["build"]?["dockerfile"]?.string.map { $0 == "Dockerfile" || $0.hasSuffix("/Dockerfile") }
                    ?? true,
                "\(name) names another Dockerfile")
        }
    }

    @Test func theArtifactVolumeIsMountedInEveryServiceAtTheConfiguredRoot() async throws {
        let deployment = try await ComposeDeployment.resolved()
        let artifactSources = Set(
            deployment.activesegServices.values.flatMap { service in
                ComposeDeployment.mounts(of: service).filter { $0.target == ComposeDeployment.artifactRoot }.map(
                    \.source)
            })
        #expect(artifactSources.count == 1, "one shared artifact volume, got \(artifactSources.sorted())")
        let volume = try #require(artifactSources.first)
        #expect(deployment.volumes[volume] != nil, "\(volume) is not a named volume of the deployment")
        for (name, service) in deployment.activesegServices {
            let mounts = ComposeDeployment.mounts(of: service)
            #expect(
                mounts.contains { $0.source == volume && $0.target == ComposeDeployment.artifactRoot },
                "\(name) does not mount \(volume) at \(ComposeDeployment.artifactRoot)")
            #expect(
                service["environment"]?["ACTIVESEG_ARTIFACT_ROOT"]?.string == ComposeDeployment.artifactRoot,
                "\(name) looks for artifacts elsewhere")
        }
    }

    @Test func servicesThatReadSourcesMountTheSameDatasetsFolder() async throws {
        let deployment = try await ComposeDeployment.resolved()
        let sources = try Self.sourceReaders.map { name in
            let service = try #require(deployment.services[name], "no \(name) service")
            return ComposeDeployment.mounts(of: service).filter { $0.target == "/var/lib/activeseg/datasets" }.map(
                \.source)
        }
        #expect(
            sources.allSatisfy { $0.count == 1 }, "each of \(Self.sourceReaders) mounts the datasets once: \(sources)")
        #expect(Set(sources.joined()).count == 1, "\(Self.sourceReaders) see different datasets: \(sources)")
    }

    @Test func scaledServicesHaveNoContainerNameOrHostPorts() async throws {
        let deployment = try await ComposeDeployment.resolved()
        for name in Self.scaledServices {
            let service = try #require(deployment.services[name], "no \(name) service")
            #expect(service["container_name"] == nil, "\(name) has a fixed container name, so it cannot scale")
            #expect(service["ports"] == nil, "\(name) publishes host ports, so a second container cannot bind them")
        }
    }

    @Test func servicesStartOnlyAfterHealthyDependencies() async throws {
        let deployment = try await ComposeDeployment.resolved()
        for infrastructure in ["nats", "postgres"] {
            let test = deployment.services[infrastructure]?["healthcheck"]?["test"]?.items?.compactMap(\.string)
            #expect(test?.first == "CMD" || test?.first == "CMD-SHELL", "\(infrastructure) has no health check")
        }
        for (name, service) in deployment.activesegServices {
            let needed = Self.statefulServices.contains(name) ? ["nats", "postgres"] : ["nats"]
            for dependency in needed {
                #expect(
                    service["depends_on"]?[dependency]?["condition"]?.string == "service_healthy",
                    "\(name) does not wait for a healthy \(dependency)")
            }
            #expect(service["restart"]?.string != nil, "\(name) has no restart policy")
            let profiles = service["profiles"]?.items ?? []
            if profiles.isEmpty {
                let test = service["healthcheck"]?["test"]?.items?.compactMap(\.string)
                #expect(test?.first == "CMD" || test?.first == "CMD-SHELL", "\(name) has no health check")
            }
        }
    }

    /// A service is healthy when it answers its Ping over NATS: the check runs the image's
    /// `activeseg ping` for the service the container runs, so a container whose process started
    /// but never reached the bus stays unhealthy.
    @Test func everyServiceIsCheckedWithAPingOfItsOwnService() async throws {
        let deployment = try await ComposeDeployment.resolved()
        let manifest = try String(
            contentsOf: ComposeDeployment.checkout.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(
            manifest.contains(#".executableTarget(name: "activeseg","#),
            "the image has no activeseg command line to ping with")
        for (name, service) in deployment.activesegServices where (service["profiles"]?.items ?? []).isEmpty {
            let executable = try #require(ComposeDeployment.executable(of: service))
            let pinged = String(executable.dropFirst("activeseg-".count))
            let test = service["healthcheck"]?["test"]?.items?.compactMap(\.string) ?? []
            #expect(Array(test.prefix(4)) == ["CMD", "activeseg", "ping", pinged], "\(name) is checked with \(test)")
            #expect(service["healthcheck"]?["interval"]?.string != nil, "\(name)'s check has no interval")
        }
    }

    /// The timeouts an operator sets in .env reach every ActiveSeg container; left unset, each
    /// container gets an empty value, which means the built-in default.
    @Test func everyServiceTakesTheOperatorsTimeouts() async throws {
        let settings = [
            "ACTIVESEG_POSTGRES_CONNECT_TIMEOUT": "7", "ACTIVESEG_POSTGRES_STATEMENT_TIMEOUT": "120",
            "ACTIVESEG_JOB_ACK_WAIT": "300",
        ]
        let example = try String(
            contentsOf: ComposeDeployment.checkout.appendingPathComponent(".env.example"), encoding: .utf8)
        let envFile = FileManager.default.temporaryDirectory.appendingPathComponent("timeouts-\(UUID().uuidString).env")
        try Data((example + settings.map { "\n\($0.key)=\($0.value)" }.joined() + "\n").utf8).write(to: envFile)
        defer { try? FileManager.default.removeItem(at: envFile) }
        let outcome = try await ComposeDeployment.config(envFile: envFile.path)
        try #require(outcome.status == 0, "\(outcome.standardError)")
        let services = try BlockYAMLReader.read(outcome.standardOutput)["services"]?.entries ?? [:]
        let defaults = try await ComposeDeployment.resolved()
        #expect(!defaults.activesegServices.isEmpty)
        for (name, service) in defaults.activesegServices {
            for (key, value) in settings {
                #expect(services[name]?["environment"]?[key]?.string == value, "\(name) does not pass \(key) through")
                #expect(service["environment"]?[key]?.string == "", "\(name) sets \(key) without the operator")
            }
        }
    }

    @Test func theCredentialsMustBeSet() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).env")
        try Data().write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        let outcome = try await ComposeDeployment.config(envFile: empty.path)
        #expect(outcome.status != 0, "compose.yaml resolved without credentials:\n\(outcome.standardOutput)")
        #expect(
            outcome.standardError.contains(".env.example"),
            "the refusal does not say where the settings come from: \(outcome.standardError)")
    }

    @Test func theNATSConfigurationAcceptsTheExampleCredentials() async throws {
        let server = try ExternalCommand.locate("nats-server", package: "nats-server")
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        for (key, value) in try ComposeDeployment.exampleSettings() where key.hasPrefix("NATS_") {
            environment[key] = value
        }
        for user in DeploymentNATS.users {
            #expect(
                environment[DeploymentNATS.passwordVariable(of: user)] != nil,
                ".env.example sets no \(DeploymentNATS.passwordVariable(of: user))")
        }
        let outcome = try await ExternalCommand.run(
            server, ["-c", "deploy/nats/nats.conf", "-t"],
            in: ComposeDeployment.checkout, environment: environment)
        #expect(outcome.status == 0, "nats-server rejects deploy/nats/nats.conf: \(outcome.standardError)")
    }

    /// Each service connects to NATS as a user of its own, whose permissions in deploy/nats/nats.conf
    /// cover only that service's subjects, with the password nats-server gives that user.
    @Test func everyServiceConnectsToNATSAsItsOwnUser() async throws {
        let deployment = try await ComposeDeployment.resolved()
        let settings = try ComposeDeployment.exampleSettings()
        let configuration = try String(
            contentsOf: ComposeDeployment.checkout.appendingPathComponent("deploy/nats/nats.conf"), encoding: .utf8)
        let serverEnvironment = try #require(deployment.services["nats"]?["environment"])
        var users: [String] = []
        for (name, service) in deployment.activesegServices {
            let environment = service["environment"]
            let user = try #require(environment?["ACTIVESEG_NATS_USER"]?.string, "\(name) sets no NATS user")
            users.append(user)
            #expect(user == name, "\(name) connects as \(user)")
            #expect(DeploymentNATS.users.contains(user), "\(user) is not a user of deploy/nats/nats.conf")
            let variable = DeploymentNATS.passwordVariable(of: user)
            #expect(environment?["ACTIVESEG_NATS_PASSWORD"]?.string == settings[variable], "\(name)'s password")
            #expect(serverEnvironment[variable]?.string == settings[variable], "nats-server lacks \(variable)")
            #expect(configuration.contains("user: \(user)\n"), "deploy/nats/nats.conf has no user \(user)")
            #expect(
                configuration.contains("password: $\(variable)\n"), "deploy/nats/nats.conf does not read \(variable)")
        }
        #expect(Set(users).count == users.count, "services share a NATS user: \(users.sorted())")
        #expect(Set(users) == Set(DeploymentNATS.users))
    }

    /// The services that keep state connect as the role the init script creates, never as the
    /// superuser; the stateless ones get no database at all.
    @Test func theServicesConnectToPostgreSQLAsTheApplicationRole() async throws {
        let deployment = try await ComposeDeployment.resolved()
        let settings = try ComposeDeployment.exampleSettings()
        let role = try #require(settings["ACTIVESEG_DB_USER"])
        #expect(role != settings["POSTGRES_USER"], "the application role is the superuser")
        for (name, service) in deployment.activesegServices {
            let dsn = service["environment"]?["ACTIVESEG_POSTGRES_DSN"]?.string
            if Self.statefulServices.contains(name) {
                let url = try #require(dsn.flatMap(URLComponents.init(string:)), "\(name) has no database")
                #expect(url.user == role, "\(name) connects as \(url.user ?? "nobody")")
                #expect(url.password == settings["ACTIVESEG_DB_PASSWORD"])
                #expect(url.path == "/" + (settings["ACTIVESEG_DB_NAME"] ?? "activeseg"))
            } else {
                #expect(dsn == nil, "\(name) keeps no state but gets the database")
            }
        }
        let postgres = try #require(deployment.services["postgres"])
        #expect(
            ComposeDeployment.mounts(of: postgres).contains {
                $0.source.hasSuffix("/" + PostgresRoleTests.script)
                    && $0.target.hasPrefix("/docker-entrypoint-initdb.d/") && $0.target.hasSuffix(".sh")
            }, "the init script is not mounted into /docker-entrypoint-initdb.d")
        for key in ["ACTIVESEG_DB_USER", "ACTIVESEG_DB_PASSWORD", "ACTIVESEG_DB_NAME"] {
            #expect(postgres["environment"]?[key]?.string == settings[key], "the init script gets no \(key)")
        }
    }

    /// Every password .env.example ships is a placeholder that the services refuse.
    @Test func theExamplePasswordsArePlaceholders() throws {
        let passwords = try ComposeDeployment.exampleSettings().filter { $0.key.hasSuffix("_PASSWORD") }
        #expect(passwords.count == DeploymentNATS.users.count + 2)
        for (key, value) in passwords {
            #expect(value.hasPrefix("change-me"), "\(key) has a real-looking default")
        }
    }

    /// ActiveSeg containers drop every capability, cannot gain privileges, run on a read-only root
    /// file system (the command line excepted, which a person runs to write files) and have a memory
    /// limit; NATS and PostgreSQL keep only what their images need.
    @Test func everyContainerRunsWithLeastPrivilege() async throws {
        let deployment = try await ComposeDeployment.resolved()
        for (name, service) in deployment.services {
            let dropped = service["cap_drop"]?.items?.compactMap(\.string) ?? []
            #expect(dropped == ["ALL"], "\(name) keeps its capabilities")
            let options = service["security_opt"]?.items?.compactMap(\.string) ?? []
            #expect(options.contains("no-new-privileges:true"), "\(name) may gain privileges")
            #expect(service["mem_limit"]?.string.map { !$0.isEmpty } == true, "\(name) has no memory limit")
        }
        for (name, service) in deployment.activesegServices {
            let readOnly = service["read_only"]?.string == "true"
            #expect(readOnly == (name != "cli"), "\(name): read_only is \(service["read_only"]?.string ?? "unset")")
            #expect(service["cap_add"] == nil, "\(name) adds capabilities")
            if readOnly {
                let tmpfs = service["tmpfs"]?.items?.compactMap(\.string) ?? []
                #expect(tmpfs.contains { $0.hasPrefix("/tmp") }, "\(name) has no writable /tmp")
            }
        }
        let added = Set(deployment.services["postgres"]?["cap_add"]?.items?.compactMap(\.string) ?? [])
        #expect(
            added.isSubset(of: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"]),
            "postgres keeps more than its entrypoint needs: \(added.sorted())")
        #expect(deployment.services["nats"]?["cap_add"] == nil)
        #expect(deployment.services["nats"]?["image"]?.string == "nats:2.10-alpine")
        #expect(deployment.services["postgres"]?["image"]?.string == "postgres:15")
    }

    /// The local stack's nats-server (scripts/stack) allows the message size the compose
    /// deployment's does, so what passes in tests passes in a deployment and the other way round.
    @Test func theLocalStackAllowsTheComposeMaximumPayload() throws {
        func maxPayload(_ path: String) throws -> String? {
            let text = try String(contentsOf: ComposeDeployment.checkout.appendingPathComponent(path), encoding: .utf8)
            return text.split(separator: "\n").lazy
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("max_payload:") }
                .map { $0.dropFirst("max_payload:".count).trimmingCharacters(in: .whitespaces) }
        }
        let compose = try #require(try maxPayload("deploy/nats/nats.conf"), "deploy/nats/nats.conf sets no max_payload")
        #expect(try maxPayload("scripts/stack") == compose)
    }
}
