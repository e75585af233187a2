/// How to reach PostgreSQL and how many connections to keep.
///
/// Read from the environment by ``init(environment:)``:
/// - `ACTIVESEG_POSTGRES_DSN` (required): a libpq connection URI or `key=value` string, e.g.
///   `postgresql://user:password@127.0.0.1:15432/activeseg`.
/// - `ACTIVESEG_POSTGRES_POOL_SIZE` (default 4): the most connections one process opens. Services do
///   short transactions between long computations, so a few connections serve a whole worker.
/// - `ACTIVESEG_POSTGRES_SCHEMA` (optional): the schema every table lives in, instead of the server's
///   default `search_path`; lets several installations share one database.
public struct PostgresConfiguration: Sendable {
    /// The libpq connection string (URI or `key=value` pairs).
    public var connectionString: String
    /// The most connections open at once (at least 1); further callers wait in line.
    public var poolSize: Int
    /// The schema set as `search_path` on every connection (created by the migrator when missing).
    public var schema: String?
    /// Shown in `pg_stat_activity` unless the connection string names one.
    public var applicationName: String

    public static let defaultPoolSize = 4

    public init(
        connectionString: String, poolSize: Int = PostgresConfiguration.defaultPoolSize,
        schema: String? = nil, applicationName: String = "activeseg"
    ) {
        self.connectionString = connectionString
        self.poolSize = poolSize
        self.schema = schema
        self.applicationName = applicationName
    }

    /// Reads the `ACTIVESEG_POSTGRES_*` variables documented on the type.
    public init(environment: [String: String], applicationName: String = "activeseg") throws(StoreError) {
        guard let dsn = environment["ACTIVESEG_POSTGRES_DSN"], !dsn.isEmpty else {
            throw StoreError(code: .configuration, message: "ACTIVESEG_POSTGRES_DSN is not set")
        }
        var poolSize = Self.defaultPoolSize
        if let text = environment["ACTIVESEG_POSTGRES_POOL_SIZE"] {
            guard let value = Int(text), value > 0 else {
                throw StoreError(
                    code: .configuration,
                    message: "ACTIVESEG_POSTGRES_POOL_SIZE must be a positive integer, not '\(text)'")
            }
            poolSize = value
        }
        let schema = environment["ACTIVESEG_POSTGRES_SCHEMA"].flatMap { $0.isEmpty ? nil : $0 }
        self.init(connectionString: dsn, poolSize: poolSize, schema: schema, applicationName: applicationName)
    }
}
