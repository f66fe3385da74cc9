import Foundation
import LiveTestSupport
import Postgres
import Testing

@Suite(.enabled(if: TestDatabase.isAvailable, "set SPLITLANE_TEST_DATABASE_URL"))
struct ConnectionTests {
    @Test func typedAccessorsReadEachType() throws {
        let database = try TestDatabase(migrated: false)
        let when = Date(timeIntervalSince1970: 1_790_000_000.123456)

        let row = try #require(
            try database.store.connection.query(
                """
                SELECT $1::text AS text, $2::bigint AS big, $3::float8 AS number,
                       $4::boolean AS flag, $5::timestamptz AS at, NULL::text AS nothing,
                       $6::text[] AS list
                """,
                ["héllo", Int64.max, 0.1, true, when, ["a\"b", "c\\d", "e,f", "ü\"ñ 区"]]
            ).first)

        #expect(try row.string("text") == "héllo")
        #expect(try row.int64("big") == Int64.max)
        #expect(try row.double("number") == 0.1)
        #expect(try row.bool("flag"))
        #expect(try row.date("at").timeIntervalSince1970 == when.timeIntervalSince1970)
        #expect(try row.string("nothing") == nil)
        #expect(try row.optionalDouble("nothing") == nil)
        #expect(try row.string("list") == #"{"a\"b","c\\d","e,f","ü\"ñ 区"}"#)
        #expect(throws: PostgresError.self) { try row.int64("nothing") }
        #expect(throws: PostgresError.self) { try row.int64("text") }
        #expect(throws: PostgresError.self) { try row.string("missing") }
    }

    @Test func preparedStatementsRunRepeatedlyWithNewParameters() throws {
        let database = try TestDatabase(migrated: false)
        let connection = database.store.connection
        let statement = "SELECT $1::int * 2 AS doubled, $2::text AS label"

        var answers: [String?] = []
        for value in 1...8 {
            let row = try #require(try connection.queryPrepared(statement, [value, "n\(value)"]).first)
            answers.append(try row.string("doubled"))
            #expect(try row.string("label") == "n\(value)")
        }
        let prepared = try database.count(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", [statement])

        #expect(answers == (1...8).map { String($0 * 2) })
        #expect(prepared == 1)
        #expect(throws: PostgresError.self) {
            try connection.queryPrepared("SELECT $1::int AS n", ["not a number"])
        }
        #expect(try connection.queryPrepared("SELECT $1::int AS n", [7]).first?.string("n") == "7")
    }

    @Test func serverErrorsCarrySQLStateMessageAndStatement() throws {
        let database = try TestDatabase(migrated: false)
        let connection = database.store.connection
        try connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
        try connection.execute("INSERT INTO t VALUES (1)")

        let error = try #require(throws: PostgresError.self) {
            try connection.execute("INSERT INTO t VALUES ($1)", [1])
        }

        #expect(error.code == .server)
        #expect(error.sqlState == "23505")
        #expect(error.isUniqueViolation)
        #expect(error.message.contains("duplicate key"))
        #expect(error.detail == "Key (id)=(1) already exists.")
        #expect(error.statement == "INSERT INTO t VALUES ($1)")
        #expect(connection.isHealthy)
    }

    @Test func connectionErrorsNeverShowThePassword() throws {
        let error = try #require(throws: PostgresError.self) {
            try Connection(
                "postgresql://someone:s3cret-pw@127.0.0.1:1/nowhere?connect_timeout=2")
        }
        #expect(error.code == .connection)
        #expect(!error.description.contains("s3cret-pw"))
    }

    @Test func aThrowingTransactionRollsBack() throws {
        let database = try TestDatabase(migrated: false)
        let connection = database.store.connection
        try connection.execute("CREATE TABLE t (id int)")
        struct Abort: Error {}

        #expect(throws: Abort.self) {
            try connection.withTransaction {
                try connection.execute("INSERT INTO t VALUES (1)")
                throw Abort()
            }
        }
        try connection.withTransaction {
            try connection.execute("INSERT INTO t VALUES (2)")
        }

        #expect(try database.column("SELECT id::text FROM t") == ["2"])
    }

    @Test func copyStreamsRowsAndAnAbortedCopyStoresNothing() throws {
        let database = try TestDatabase(migrated: false)
        let connection = database.store.connection
        try connection.execute("CREATE TABLE t (id int, note text)")
        struct Abort: Error {}

        let copied = try connection.copyIn("COPY t (id, note) FROM STDIN") { writer in
            for id in 0..<50_000 {
                try writer.write("\(id)\tnote \(id)\n")
            }
        }
        #expect(throws: Abort.self) {
            try connection.copyIn("COPY t (id, note) FROM STDIN") { writer in
                try writer.write("1\tpartial\n")
                throw Abort()
            }
        }
        let malformed = try #require(throws: PostgresError.self) {
            try connection.copyIn("COPY t (id, note) FROM STDIN") { writer in
                try writer.write("not-a-number\tx\n")
            }
        }

        #expect(copied == 50_000)
        #expect(malformed.sqlState == "22P02")
        #expect(try database.count("SELECT count(*) FROM t") == 50_000)
        #expect(try database.count("SELECT count(*) FROM t WHERE note = 'partial'") == 0)
    }

    @Test func aStringWithNULIsRefusedBeforeReachingTheServer() throws {
        let database = try TestDatabase(migrated: false)
        let error = try #require(throws: PostgresError.self) {
            try database.store.connection.query("SELECT $1::text", ["a\u{0}b"])
        }
        #expect(error.code == .usage)
    }

    @Test(arguments: [
        ("2026-10-01 00:00:00+00", 1_790_812_800.0),
        ("2026-10-01T02:00:00.5+02:00", 1_790_812_800.5),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2024-02-29T12:00:00-05:30", 1_709_227_800.0),
    ])
    func timestampsParse(text: String, seconds: Double) {
        #expect(PostgresTimestamp.parse(text)?.timeIntervalSince1970 == seconds)
    }

    @Test func binaryArraysReadAsTheirTextLiteralsDo() throws {
        let database = try TestDatabase(migrated: false)
        let connection = database.store.connection
        let texts = ["", "NULL", "a\"b", "c\\d", "{e,f}", " spaced ", "ü\"ñ 区", "emoji 😀"]
        let dates = [-1.5, 0, 0.000001, 946_684_799.999999, 946_684_800, 1_790_812_800.123456]
            .map { Date(timeIntervalSince1970: $0) }
        let documents = [#"{"region":"north"}"#, "{}", #"{"n":1.5,"s":"ü"}"#]

        // Each binary array beside the same values as a text literal, which the server
        // parses itself: equal element by element, in order.
        let same = try connection.query(
            """
            SELECT (SELECT bool_and(a IS NOT DISTINCT FROM b) AND count(*) = $7
                    FROM unnest($1::text[], $2::text[]) AS t(a, b)) AS texts,
                   (SELECT bool_and(a = b) AND count(*) = $8
                    FROM unnest($3::timestamptz[], $4::timestamptz[]) AS t(a, b)) AS dates,
                   (SELECT bool_and(a = b) AND count(*) = $9
                    FROM unnest($5::jsonb[], $6::jsonb[]) AS t(a, b)) AS documents
            """,
            [PostgresArray.text(texts), texts, PostgresArray.timestamptz(dates), dates,
             PostgresArray.jsonb(documents), documents, texts.count, dates.count, documents.count])
        let empty = try connection.query(
            "SELECT cardinality($1::text[]) AS n, $1::text[] = '{}' AS empty", [PostgresArray.text([])])

        #expect(try same.first?.bool("texts") == true)
        #expect(try same.first?.bool("dates") == true)
        #expect(try same.first?.bool("documents") == true)
        #expect(try empty.first?.int64("n") == 0)
        #expect(try empty.first?.bool("empty") == true)
        let refused = try #require(throws: PostgresError.self) {
            try connection.query("SELECT $1::text[]", [PostgresArray.text(["a\u{0}b"])])
        }
        #expect(refused.code == .usage)
    }

    @Test(arguments: [
        "0000-06-01T00:00:00Z",  // RFC 3339 allows year 0; PostgreSQL's timestamptz does not
        "0001-01-01T00:00:00+00:01",  // year 0 in UTC
        "2026-02-29T00:00:00Z",
        "2026-10-01T00:00:00",
        "2026-10-01T24:00:00Z",
        "2026-10-01",
    ])
    func timestampsPostgreSQLWouldRefuseDoNotParse(text: String) {
        #expect(PostgresTimestamp.parse(text) == nil)
    }

    @Test func theEarliestTimeRoundTripsThroughPostgreSQL() throws {
        let database = try TestDatabase()
        let earliest = try #require(PostgresTimestamp.parse("0001-01-01T00:00:00Z"))

        let result = try database.store.connection.query(
            "SELECT $1::timestamptz = '0001-01-01 00:00:00+00' AS same", [earliest])

        #expect(try result.first?.bool("same") == true)
    }

    @Test(arguments: [
        (1_790_812_800.5, "2026-10-01T00:00:00.500000Z"),
        (-1.0, "1969-12-31T23:59:59.000000Z"),
        (0.000001, "1970-01-01T00:00:00.000001Z"),
        (1_798_761_599.999999, "2026-12-31T23:59:59.999999Z"),
        (-60_741_417_049.876544, "0045-03-07T08:09:10.123456Z"),
    ])
    func timestampsFormatWithZeroPadding(seconds: Double, text: String) {
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: seconds)) == text)
    }
}
