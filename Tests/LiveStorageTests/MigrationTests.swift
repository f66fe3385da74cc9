import Foundation
import LiveTestSupport
import Postgres
import SplitlaneAssignment
import SplitlaneStorage
import Synchronization
import Testing

/// The binary carries `sql/` as it is in the repository.
struct EmbeddedMigrationTests {
    static let repositorySQL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sql")

    @Test func theBinaryCarriesEveryFileOfSQLUnchanged() throws {
        let files = try Migration.load(directory: Self.repositorySQL)

        let carried = try Migration.bundled()

        #expect(!files.isEmpty)
        #expect(carried == files)
    }
}

@Suite(.enabled(if: TestDatabase.isAvailable, "set SPLITLANE_TEST_DATABASE_URL"))
struct MigrationTests {
    @Test func migratingTwiceAppliesNothingTheSecondTime() throws {
        let database = try TestDatabase(migrated: false)
        let shipped = try Migration.bundled()
        #expect(shipped.first?.name == "001_schema")

        let before = try database.store.schemaStatus()
        #expect(before.applied.isEmpty)
        #expect(before.pending.count == shipped.count)

        let first = try database.store.migrate()
        let second = try database.store.migrate()
        #expect(first == shipped.map(\.version))
        #expect(second.isEmpty)

        let after = try database.store.schemaStatus()
        #expect(after.isCurrent)
        #expect(after.applied.map(\.version) == shipped.map(\.version))
        #expect(after.unknown.isEmpty)
        #expect(after.modified.isEmpty)
    }

    @Test func anEditedMigrationIsReportedAsModified() throws {
        let database = try TestDatabase(migrated: false)
        var migrations = try Migration.bundled()
        try database.store.migrate(migrations)

        migrations[0].sql += "\n-- edited after release\n"
        let extra = Migration(version: 999, name: "999_extra", sql: "SELECT 1;")
        let status = try database.store.schemaStatus(migrations + [extra])

        #expect(status.modified == [migrations[0].version])
        #expect(status.pending.map(\.version) == [999])
        #expect(try database.store.migrate(migrations + [extra]) == [999])
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() throws {
        let database = try TestDatabase(migrated: false)
        let other = try SplitlaneStore(url: database.url)
        let stores = [database.store, other]

        let results = Mutex<[[Int]]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let applied = (try? stores[index].migrate()) ?? [-1]
            results.withLock { $0.append(applied) }
        }

        let all = results.withLock { $0 }
        #expect(all.flatMap { $0 }.sorted() == (try Migration.bundled()).map(\.version))
        #expect(try database.count("SELECT count(*) FROM splitlane.schema_migrations") == 1)
    }

    /// Expected values from Python: `int.from_bytes(sha256(s.encode()).digest()[:4],
    /// "big") % 10000`.
    @Test(arguments: [
        ("abc", 2319),
        ("", 2610),
        ("layer:recovery:acct-1", 7872),
        ("détracteur:ünit", 5956),
        ("exp:acct-7", 347),
    ])
    func bucketMatchesTheSpecification(input: String, expected: Int) throws {
        let database = try TestDatabase()
        let value = try database.column("SELECT splitlane.bucket($1)", [input]).first ?? nil
        #expect(value == String(expected))
    }

    /// The SQL function and the engine agree on every id: ASCII, accented, CJK, emoji,
    /// SQL metacharacters, and the prefixes assignment actually hashes.
    @Test func bucketAgreesWithTheEngineOnThousandsOfIds() throws {
        let database = try TestDatabase()
        var ids: [String] = []
        for index in 0..<5_000 {
            let units = ["acct-", "配送-", "Kündin-", "🚚", "o'b\\"]
            let unit = units[index % 5] + String(index)
            ids.append(["", "survey-channel-2026:", "layer:recovery:", "x:coverage:"][index % 4] + unit)
        }

        let rows = try database.store.connection.query(
            "SELECT id, splitlane.bucket(id) AS bucket FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n) ORDER BY n",
            [ids]
        ).rows

        #expect(rows.count == ids.count)
        var mismatches: [String] = []
        for (id, row) in zip(ids, rows) where try row.int64("bucket") != Int64(Bucket.of(id)) {
            mismatches.append(id)
        }
        #expect(mismatches == [])
    }

    @Test func bucketIsImmutableAndParallelSafe() throws {
        let database = try TestDatabase()
        let row = try #require(
            try database.store.connection.query(
                """
                SELECT provolatile::text AS volatility, proparallel::text AS parallel
                FROM pg_proc WHERE oid = 'splitlane.bucket(text)'::regprocedure
                """
            ).first)
        #expect(try row.string("volatility") == "i")
        #expect(try row.string("parallel") == "s")
    }
}
