import Logging

extension PostgresClient {
    /// The advisory-lock key serialising migrations across every process using the database
    /// (the bytes of "ASMIGRAT").
    static let migrationLockKey: Int64 = 0x4153_4D49_4752_4154

    /// Brings the schema up to date: applies, in version order, each migration not yet recorded in
    /// `schema_migrations`, each in its own transaction holding `pg_advisory_xact_lock`.
    ///
    /// Several services may call this at the same moment: each migration's check-and-apply runs
    /// under the lock, so exactly one caller applies it and the others find it recorded. A recorded
    /// migration whose SQL differs from this binary's (by MD5, computed by the server) is an error,
    /// because the schema would not be what the code expects.
    public func migrate(_ migrations: [Migration] = ActiveSegSchema.migrations) async throws {
        let versions = migrations.map(\.version)
        guard versions == versions.sorted(), Set(versions).count == versions.count else {
            throw StoreError(
                code: .migration, message: "migration versions must be unique and increasing: \(versions)")
        }
        for migration in migrations {
            try await apply(migration)
        }
        let known = Set(versions)
        let recorded = try await query("SELECT version FROM schema_migrations ORDER BY version")
        let unknown = try recorded.map { try $0.decode("version", as: Int.self) }.filter { !known.contains($0) }
        if !unknown.isEmpty {
            logger.warning(
                "the database has migrations this binary does not know; it may be older than the schema",
                metadata: ["db.unknown_versions": "\(unknown)"])
        }
    }

    private func apply(_ migration: Migration) async throws {
        try await withTransaction { transaction in
            try await transaction.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))")
            if let schema = configuration.schema {
                try await transaction.query("CREATE SCHEMA IF NOT EXISTS \(identifier: schema)")
            }
            try await transaction.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     integer PRIMARY KEY,
                    name        text NOT NULL,
                    checksum    text NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """)
            let recorded = try await transaction.query(
                """
                SELECT checksum = md5(\(migration.sql)) AS matches FROM schema_migrations
                WHERE version = \(migration.version)
                """)
            if let row = recorded.first {
                guard try row.decode("matches", as: Bool.self) else {
                    throw StoreError(
                        code: .migration,
                        message: "migration \(migration.version) (\(migration.name)) was applied with different SQL")
                }
                return
            }
            try await transaction.connection.runScript(migration.sql)
            try await transaction.query(
                """
                INSERT INTO schema_migrations (version, name, checksum)
                VALUES (\(migration.version), \(migration.name), md5(\(migration.sql)))
                """)
            logger.info(
                "applied schema migration",
                metadata: ["db.migration.version": "\(migration.version)", "db.migration.name": "\(migration.name)"])
        }
    }
}
