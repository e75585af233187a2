import CLibPQ
import Redaction

/// How to reach PostgreSQL, how many connections to keep, and how long to wait for the server.
///
/// Read from the environment by ``init(environment:applicationName:)``:
/// - `ACTIVESEG_POSTGRES_DSN` (required): a libpq connection URI or `key=value` string, e.g.
///   `postgresql://user:password@127.0.0.1:15432/activeseg`. A password in it that is still a
///   placeholder of `.env.example` (`change-me-…`, see `isPlaceholderSecret`) is refused, so a
///   deployment never runs with a published password.
/// - `ACTIVESEG_POSTGRES_POOL_SIZE` (default 4): the most connections one process opens. Services do
///   short transactions between long computations, so a few connections serve a whole worker.
/// - `ACTIVESEG_POSTGRES_SCHEMA` (optional): the schema every table lives in, instead of the server's
///   default `search_path`; lets several installations share one database.
/// - `ACTIVESEG_POSTGRES_CONNECT_TIMEOUT` (whole seconds, default 10): ``connectTimeout``.
/// - `ACTIVESEG_POSTGRES_STATEMENT_TIMEOUT` (whole seconds, default 60; 0 turns it off):
///   ``statementTimeout``.
public struct PostgresConfiguration: Sendable {
    /// The libpq connection string (URI or `key=value` pairs).
    public var connectionString: String
    /// The most connections open at once (at least 1); further callers wait in line.
    public var poolSize: Int
    /// The schema set as `search_path` on every connection (created by the migrator when missing).
    public var schema: String?
    /// Shown in `pg_stat_activity` unless the connection string names one.
    public var applicationName: String
    /// How long opening (or re-opening) a connection may take: libpq's `connect_timeout`, in whole
    /// seconds rounded up, per server address tried; `nil` waits as long as the operating system
    /// does (minutes for a silent host). libpq waits at least 2 s. A connection string that sets
    /// `connect_timeout` itself keeps its own value.
    ///
    /// Default 10 s: long enough for a server across a network that is busy starting, short enough
    /// that a service whose database is unreachable says so within seconds instead of hanging in
    /// its first query (a job is then retried, a command line exits with status 69).
    public var connectTimeout: Duration?
    /// The longest a single statement may run on the server: the session's `statement_timeout`,
    /// set on every connection when it opens (whole milliseconds); `nil` lets statements run
    /// unbounded. A statement stopped by it throws ``StoreError/Code/statementTimeout``.
    ///
    /// Default 60 s: every statement the services send is an indexed lookup or a small write that
    /// takes milliseconds, so one still running after a minute waits on a lock held by a stuck
    /// session or runs away; with a pool of four connections it would soon hold up the whole
    /// process. Migrations, which take their lock with `pg_advisory_xact_lock`, wait under the same
    /// bound.
    public var statementTimeout: Duration?

    public static let defaultPoolSize = 4
    public static let defaultConnectTimeout: Duration = .seconds(10)
    public static let defaultStatementTimeout: Duration = .seconds(60)

    public init(
        connectionString: String, poolSize: Int = PostgresConfiguration.defaultPoolSize,
        schema: String? = nil, applicationName: String = "activeseg",
        connectTimeout: Duration? = PostgresConfiguration.defaultConnectTimeout,
        statementTimeout: Duration? = PostgresConfiguration.defaultStatementTimeout
    ) {
        self.connectionString = connectionString
        self.poolSize = poolSize
        self.schema = schema
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
    }

    /// Reads the `ACTIVESEG_POSTGRES_*` variables documented on the type.
    public init(environment: [String: String], applicationName: String = "activeseg") throws(StoreError) {
        guard let dsn = environment["ACTIVESEG_POSTGRES_DSN"], !dsn.isEmpty else {
            throw StoreError(code: .configuration, message: "ACTIVESEG_POSTGRES_DSN is not set")
        }
        if let password = Self.password(in: dsn), isPlaceholderSecret(password) {
            throw StoreError(
                code: .configuration,
                message: "ACTIVESEG_POSTGRES_DSN holds a placeholder password of .env.example "
                    + "('\(placeholderSecretPrefix)…'); choose a password")
        }
        func integer(_ key: String, minimum: Int) throws(StoreError) -> Int? {
            guard let text = environment[key], !text.isEmpty else { return nil }
            guard let value = Int(text), value >= minimum else {
                let wanted = minimum == 0 ? "a whole number (0 or more)" : "a positive integer"
                throw StoreError(code: .configuration, message: "\(key) must be \(wanted), not '\(text)'")
            }
            return value
        }
        let poolSize = try integer("ACTIVESEG_POSTGRES_POOL_SIZE", minimum: 1) ?? Self.defaultPoolSize
        let schema = environment["ACTIVESEG_POSTGRES_SCHEMA"].flatMap { $0.isEmpty ? nil : $0 }
        let connectTimeout =
            try integer("ACTIVESEG_POSTGRES_CONNECT_TIMEOUT", minimum: 1).map { Duration.seconds($0) }
            ?? Self.defaultConnectTimeout
        let statementTimeout: Duration? =
            switch try integer("ACTIVESEG_POSTGRES_STATEMENT_TIMEOUT", minimum: 0) {
            case nil: Self.defaultStatementTimeout
            case 0: nil
            case let seconds?: .seconds(seconds)
            }
        self.init(
            connectionString: dsn, poolSize: poolSize, schema: schema, applicationName: applicationName,
            connectTimeout: connectTimeout, statementTimeout: statementTimeout)
    }
}

extension PostgresConfiguration {
    /// The password `connectionString` carries, as libpq reads it (from a URI's user information or
    /// query, or a `password=` pair); nil when it has none or does not parse, which connecting
    /// reports in its own words.
    static func password(in connectionString: String) -> String? {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &message) else {
            PQfreemem(message)
            return nil
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password" { return option.pointee.val.map { String(cString: $0) } }
            option += 1
        }
        return nil
    }
}

extension Duration {
    /// Whole milliseconds, rounded up, so that a positive duration never becomes 0 ("no limit" to
    /// the server).
    var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        return seconds * 1_000 + (attoseconds + perMillisecond - 1) / perMillisecond
    }

    /// Whole seconds, rounded up.
    var roundedUpSeconds: Int64 {
        (roundedUpMilliseconds + 999) / 1_000
    }
}
