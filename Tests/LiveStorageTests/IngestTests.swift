import Foundation
import LiveTestSupport
import SplitlaneStorage
import Testing

@Suite(.enabled(if: TestDatabase.isAvailable, "set SPLITLANE_TEST_DATABASE_URL"))
struct IngestTests {
    static let header = "event_id,unit_id,event,value,occurred_at\n"
    static let good = #"""
        e1,acct-1,order,19.90,2026-10-02T08:00:00Z
        e2,acct-1,survey_response,9,2026-10-03T08:00:00.250+02:00
        e3,acct-2,churn,,2026-10-04T00:00:00Z
        "e,4","acct ""quoted""",order,1e2,2026-10-05T00:00:00Z

        """#

    /// Writes bytes to a temporary file and opens it for reading.
    static func file(_ bytes: [UInt8]) throws -> FileHandle {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ingest-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        let handle = try FileHandle(forReadingFrom: url)
        try FileManager.default.removeItem(at: url)
        return handle
    }

    static func file(_ text: String) throws -> FileHandle {
        try file(Array(text.utf8))
    }

    @Test func csvLoadsAndReingestingIsAllDuplicates() throws {
        let database = try TestDatabase()

        var seen: [Int] = []
        let first = try database.store.ingest(
            from: try Self.file(Self.header + Self.good), format: .csv,
            progress: { seen.append($0) })
        let second = try database.store.ingest(
            from: try Self.file(Self.header + Self.good), format: .csv)

        #expect(first == IngestSummary(inserted: 4, duplicates: 0))
        #expect(second == IngestSummary(inserted: 0, duplicates: 4))
        #expect(seen.last == 4)
        let rows = try database.column(
            """
            SELECT event_id || '|' || unit_id || '|' || coalesce(value::text, 'null') || '|'
                   || to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')
            FROM splitlane.events ORDER BY event_id
            """)
        #expect(
            rows == [
                "e,4|acct \"quoted\"|100|2026-10-05 00:00:00.000",
                "e1|acct-1|19.9|2026-10-02 08:00:00.000",
                "e2|acct-1|9|2026-10-03 06:00:00.250",
                "e3|acct-2|null|2026-10-04 00:00:00.000",
            ])
    }

    @Test func ndjsonLoadsTheSameEvents() throws {
        let database = try TestDatabase()
        let text = """
            {"event_id":"e1","unit_id":"acct-1","event":"order","value":19.9,"occurred_at":"2026-10-02T08:00:00Z"}

            {"event_id":"e3","unit_id":"acct-2","event":"churn","value":null,"occurred_at":"2026-10-04T00:00:00Z"}
            {"event_id":"e1","unit_id":"acct-1","event":"order","occurred_at":"2026-10-02T08:00:00Z"}

            """

        let summary = try database.store.ingest(from: try Self.file(text), format: .ndjson)

        #expect(summary == IngestSummary(inserted: 2, duplicates: 1))
    }

    @Test(arguments: [
        ("e9,acct-9,order,1,yesterday\n", 3, "occurred_at"),
        ("e9,acct-9,order,lots,2026-10-02T08:00:00Z\n", 3, "is not a number"),
        ("e9,acct-9,order,1\n", 3, "expected 5 columns, found 4"),
        ("e9,acct-9,order,1,2026-10-02T08:00:00Z,extra\n", 3, "expected 5 columns, found 6"),
        (",acct-9,order,1,2026-10-02T08:00:00Z\n", 3, "missing event_id"),
        ("e9,,order,1,2026-10-02T08:00:00Z\n", 3, "missing unit_id"),
        ("e9,acct-9,order,1,2026-02-30T08:00:00Z\n", 3, "occurred_at"),
        ("e9,acct-9,order,1,2026-10-02\n", 3, "occurred_at"),
        ("e9,\"acct-9,order,1,2026-10-02T08:00:00Z\n", 3, "not closed"),
    ])
    func aBadRowLoadsNothingAndNamesItsLine(row: String, line: Int, reason: String) throws {
        let database = try TestDatabase()
        let text =
            Self.header + "e1,acct-1,order,1,2026-10-02T08:00:00Z\n" + row
            + "e2,acct-2,order,1,2026-10-02T08:00:00Z\n"

        let error = try #require(throws: StorageError.self) {
            try database.store.ingest(from: try Self.file(text), format: .csv)
        }

        #expect(error.code == .invalidInput)
        #expect(error.message.hasPrefix("line \(line): "))
        #expect(error.message.contains(reason))
        #expect(try database.count("SELECT count(*) FROM splitlane.events") == 0)
    }

    @Test func invalidUTF8NamesItsLine() throws {
        let database = try TestDatabase()
        var bytes = Array((Self.header + "e1,acct-1,order,1,2026-10-02T08:00:00Z\n").utf8)
        bytes +=
            Array("e2,acct-".utf8) + [0xFF, 0xFE] + Array(",order,1,2026-10-02T08:00:00Z\n".utf8)

        let error = try #require(throws: StorageError.self) {
            try database.store.ingest(from: try Self.file(bytes), format: .csv)
        }

        #expect(error.message == "line 3: unit_id is not valid UTF-8")
        #expect(try database.count("SELECT count(*) FROM splitlane.events") == 0)
    }

    @Test func aBadRowAfterManyChunksStillLoadsNothing() throws {
        let database = try TestDatabase()
        var text = Self.header
        for index in 0..<30_000 {
            text += "e\(index),acct-\(index % 997),order,\(index),2026-10-02T08:00:00Z\n"
        }
        text += "bad,acct-1,order,1,not-a-time\n"

        let error = try #require(throws: StorageError.self) {
            try database.store.ingest(from: try Self.file(text), format: .csv)
        }

        #expect(error.message.hasPrefix("line 30002: "))
        #expect(try database.count("SELECT count(*) FROM splitlane.events") == 0)
    }

    @Test func missingHeaderColumnIsReported() throws {
        let database = try TestDatabase()
        let error = try #require(throws: StorageError.self) {
            try database.store.ingest(
                from: try Self.file("event_id,unit_id,event,occurred_at\n"), format: .csv)
        }
        #expect(error.message.contains("line 1: the header lacks column \"value\""))
    }

    @Test func ndjsonErrorsNameTheirLine() throws {
        let database = try TestDatabase()
        let text = """
            {"event_id":"e1","unit_id":"acct-1","event":"order","occurred_at":"2026-10-02T08:00:00Z"}
            {"event_id":"e2","unit_id":"acct-1","event":"order","value":"x","occurred_at":"2026-10-02T08:00:00Z"}

            """
        let error = try #require(throws: StorageError.self) {
            try database.store.ingest(from: try Self.file(text), format: .ndjson)
        }
        #expect(error.message == "line 2: value \"x\" is not a number")
        #expect(try database.count("SELECT count(*) FROM splitlane.events") == 0)
    }

    @Test func inMemoryEventsWithMetacharactersAreStoredLiterally() throws {
        let database = try TestDatabase()
        let nasty = "'; DROP TABLE splitlane.events; -- \\ \t \" 配送"
        let event = OutcomeEvent(
            eventID: nasty, unitID: nasty, event: nasty, value: 4,
            occurredAt: Date(timeIntervalSince1970: 1_790_000_000.5))

        let first = try database.store.ingest(events: [event, event])
        let again = try database.store.ingest(events: [event])

        #expect(first == IngestSummary(inserted: 1, duplicates: 1))
        #expect(again == IngestSummary(inserted: 0, duplicates: 1))
        let row = try #require(
            try database.store.connection.query(
                "SELECT event_id, unit_id, event, occurred_at FROM splitlane.events"
            ).first)
        #expect(try row.string("event_id") == nasty)
        #expect(try row.string("unit_id") == nasty)
        #expect(try row.date("occurred_at") == event.occurredAt)
    }
}
