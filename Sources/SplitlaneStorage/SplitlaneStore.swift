public import Foundation
public import Postgres
import SplitlaneAssignment

/// splitlane's tables in one PostgreSQL database: migrations, experiment sync,
/// exposures and outcome events.
///
/// The store is `Sendable` because ``Postgres/Connection`` is internally locked;
/// calls from several threads run one after another on the one connection.
public final class SplitlaneStore: Sendable {
    /// The connection every call uses.
    public let connection: Connection

    /// Wraps an open connection.
    public init(connection: Connection) {
        self.connection = connection
    }

    /// Opens a connection from a URL or conninfo string (empty: libpq's environment).
    public convenience init(url: String) throws {
        do {
            self.init(connection: try Connection(url))
        } catch {
            throw StorageError.database(error, "cannot open the database")
        }
    }
}

// MARK: Migrations

/// A migration recorded in `splitlane.schema_migrations`.
public struct AppliedMigration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var appliedAt: Date
    /// SHA-256 (hex) of the SQL text as it was applied.
    public var checksum: String
}

/// Which migrations a database has and which it still needs.
public struct SchemaStatus: Sendable {
    /// Migrations recorded in the database, in version order.
    public var applied: [AppliedMigration]
    /// Shipped migrations not yet applied, in version order.
    public var pending: [Migration]
    /// Recorded versions this build does not ship: the database is ahead of the code.
    public var unknown: [Int]
    /// Applied versions whose shipped file no longer matches what was applied: a
    /// released migration was edited, which it never should be.
    public var modified: [Int]

    /// Whether every shipped migration is applied.
    public var isCurrent: Bool { pending.isEmpty }
}

extension SplitlaneStore {
    /// An arbitrary fixed key for the advisory lock that serializes migrators.
    static let migrationLockKey: Int64 = 0x5350_4c54_4d49_4752

    /// Applies every pending migration, each in its own transaction, and records it.
    ///
    /// A session-level advisory lock makes concurrent migrators wait for each other,
    /// so each migration is applied exactly once.
    /// - Parameter migrations: The migrations to apply; the shipped ones by default.
    /// - Returns: The versions applied by this call, empty when the schema was current.
    @discardableResult
    public func migrate(_ migrations: [Migration]? = nil) throws -> [Int] {
        let migrations = try migrations ?? Migration.bundled()
        return try databaseStep("migration failed") {
            try connection.execute("SELECT pg_advisory_lock($1)", [Self.migrationLockKey])
            defer {
                _ = try? connection.execute(
                    "SELECT pg_advisory_unlock($1)", [Self.migrationLockKey])
            }

            try connection.executeScript(Self.bootstrapSQL)
            let applied = Set(
                try connection.query("SELECT version FROM splitlane.schema_migrations")
                    .rows.map { try $0.int64("version") })

            var newlyApplied: [Int] = []
            for migration in migrations where !applied.contains(Int64(migration.version)) {
                try connection.withTransaction {
                    try connection.executeScript(migration.sql)
                    try connection.execute(
                        """
                        INSERT INTO splitlane.schema_migrations (version, name, checksum)
                        VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'))
                        """,
                        [migration.version, migration.name, migration.sql])
                }
                newlyApplied.append(migration.version)
            }
            return newlyApplied
        }
    }

    /// Reports applied and pending migrations without changing anything.
    public func schemaStatus(_ migrations: [Migration]? = nil) throws -> SchemaStatus {
        let migrations = try migrations ?? Migration.bundled()
        return try databaseStep("cannot read the schema status") {
            let exists = try connection.query(
                "SELECT to_regclass('splitlane.schema_migrations') IS NOT NULL AS present")
            var applied: [AppliedMigration] = []
            if try exists.first?.bool("present") == true {
                let rows = try connection.query(
                    """
                    SELECT version, name, applied_at, checksum FROM splitlane.schema_migrations
                    ORDER BY version
                    """)
                applied = try rows.rows.map { row in
                    AppliedMigration(
                        version: Int(try row.int64("version")),
                        name: try row.requiredString("name"),
                        appliedAt: try row.date("applied_at"),
                        checksum: try row.requiredString("checksum"))
                }
            }
            let appliedVersions = Set(applied.map(\.version))
            let shippedVersions = Set(migrations.map(\.version))
            let shippedChecksums = Dictionary(
                migrations.map { ($0.version, SHA256.hexDigest($0.sql)) },
                uniquingKeysWith: { first, _ in first })
            return SchemaStatus(
                applied: applied,
                pending: migrations.filter { !appliedVersions.contains($0.version) },
                unknown: applied.map(\.version).filter { !shippedVersions.contains($0) },
                modified: applied.filter { migration in
                    shippedChecksums[migration.version].map { $0 != migration.checksum }
                        ?? false
                }.map(\.version))
        }
    }

    /// Creates the schema and the migrations table so the migrator can record itself.
    static let bootstrapSQL = """
        CREATE SCHEMA IF NOT EXISTS splitlane;
        CREATE TABLE IF NOT EXISTS splitlane.schema_migrations (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL DEFAULT '',
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """
}
