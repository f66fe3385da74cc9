import Dispatch
import Foundation
import LiveTestSupport
import SplitlaneDefinitions
import SplitlaneStorage
import Synchronization
import Testing

@Suite(.enabled(if: TestDatabase.isAvailable, "set SPLITLANE_TEST_DATABASE_URL"))
struct ExposureTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func record(_ unit: String, _ arm: String, minutes: Double = 0) -> ExposureRecord {
        ExposureRecord(
            experiment: "recovery", unit: unit, arm: arm,
            exposedAt: now.addingTimeInterval(minutes * 60),
            attributes: ["vertical": .string("pharmacy"), "nps_score": .number(4)],
            source: "test")
    }

    @Test func recordingTheSameExposureTwiceIsIdempotent() throws {
        let database = try TestDatabase()
        let records = [Self.record("acct-1", "credit"), Self.record("acct-2", "redelivery")]

        let first = try database.store.recordExposures(records)
        let second = try database.store.recordExposures(records)

        #expect(first.inserted == 2)
        #expect(first.repeats == 0)
        #expect(first.outcomes == [.inserted, .inserted])
        #expect(second.inserted == 0)
        #expect(second.repeats == 2)
        #expect(second.conflicts.isEmpty)
        #expect(try database.count("SELECT count(*) FROM splitlane.exposures") == 2)
    }

    @Test func aLaterDifferentArmIsAConflictAndTheFirstExposureWins() throws {
        let database = try TestDatabase()
        _ = try database.store.recordExposures([Self.record("acct-1", "credit")])

        let later = try database.store.recordExposures([
            Self.record("acct-1", "am_checkin", minutes: 5),
            Self.record("acct-3", "credit", minutes: 5),
        ])

        #expect(later.inserted == 1)
        #expect(later.outcomes == [.conflict(recordedArm: "credit"), .inserted])
        #expect(
            later.conflicts == [
                ExposureConflict(
                    experiment: "recovery", unit: "acct-1", requestedArm: "am_checkin",
                    recordedArm: "credit")
            ])
        let stored = try database.store.connection.query(
            "SELECT arm, exposed_at FROM splitlane.exposures WHERE unit_id = 'acct-1'")
        let row = try #require(stored.first)
        #expect(try row.string("arm") == "credit")
        #expect(try row.date("exposed_at") == Self.now)
    }

    @Test func aUnitTwiceInOneBatchKeepsTheFirstRecord() throws {
        let database = try TestDatabase()

        let summary = try database.store.recordExposures([
            Self.record("acct-9", "credit"),
            Self.record("acct-9", "credit", minutes: 1),
            Self.record("acct-9", "redelivery", minutes: 2),
        ])

        #expect(summary.inserted == 1)
        #expect(summary.repeats == 1)
        #expect(summary.conflicts.map(\.requestedArm) == ["redelivery"])
        #expect(try database.column("SELECT arm FROM splitlane.exposures") == ["credit"])
    }

    /// Two writers race on the same units with different arms, batch by batch and from
    /// opposite ends: each unit is inserted by exactly one of them, and the other is
    /// told the winner's arm (after waiting on the winner's uncommitted row, if it met
    /// one, then reading it).
    @Test func concurrentWritersAgreeOnTheFirstExposure() throws {
        let database = try TestDatabase()
        let stores = [database.store, try SplitlaneStore(url: database.url)]
        let arms = ["credit", "redelivery"]
        let units = (0..<300).map { "acct-race-\($0)" }
        let outcomes = Mutex<[Int: Result<[ExposureOutcome], any Error>]>([:])

        // Two threads of their own, released together.
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for writer in 0..<2 {
            done.enter()
            Thread {
                start.wait()
                let result = Result { () throws -> [ExposureOutcome] in
                    // The second writer goes from the end, so the two meet in the middle.
                    var starts = Array(stride(from: 0, to: units.count, by: 15))
                    if writer == 1 { starts.reverse() }
                    var recorded = [ExposureOutcome?](repeating: nil, count: units.count)
                    for offset in starts {
                        let batch = units[offset..<offset + 15].map { Self.record($0, arms[writer]) }
                        let summary = try stores[writer].recordExposures(batch)
                        recorded.replaceSubrange(offset..<offset + 15, with: summary.outcomes)
                    }
                    return recorded.compactMap { $0 }
                }
                outcomes.withLock { $0[writer] = result }
                done.leave()
            }.start()
        }
        start.signal()
        start.signal()
        done.wait()

        let first = try #require(try outcomes.withLock { $0[0] }?.get())
        let second = try #require(try outcomes.withLock { $0[1] }?.get())
        let stored = try database.store.connection.query(
            "SELECT unit_id, arm FROM splitlane.exposures"
        ).rows.reduce(into: [String: String]()) { arms, row in
            arms[try row.requiredString("unit_id")] = try row.requiredString("arm")
        }
        #expect(stored.count == units.count)
        for (index, unit) in units.enumerated() {
            let firstWon = first[index] == .inserted
            let winner = firstWon ? arms[0] : arms[1]
            let loser = firstWon ? second[index] : first[index]
            #expect((first[index] == .inserted) != (second[index] == .inserted), "\(unit)")
            #expect(stored[unit] == winner, "\(unit)")
            #expect(loser == .conflict(recordedArm: winner), "\(unit)")
        }
    }

    @Test(arguments: [
        "'; DROP TABLE splitlane.exposures; --",
        "quote\"double and 'single'",
        "back\\slash\\\\ and {braces,commas} NULL",
        "tab\tnewline\ncr\r",
        "Zürich 配送 🚚",
    ])
    func metacharactersAreStoredLiterally(text: String) throws {
        let database = try TestDatabase()
        var record = Self.record(text, text)
        record.attributes = [text: .string(text), "lane": .string(text)]
        record.source = text

        let summary = try database.store.recordExposures([record, record])

        #expect(summary.inserted == 1)
        #expect(summary.repeats == 1)
        let row = try #require(
            try database.store.connection.query(
                """
                SELECT unit_id, arm, source, attributes ->> 'lane' AS lane,
                       attributes ->> $1 AS keyed
                FROM splitlane.exposures
                """, [text]
            ).first)
        #expect(try row.string("unit_id") == text)
        #expect(try row.string("arm") == text)
        #expect(try row.string("source") == text)
        #expect(try row.string("lane") == text)
        #expect(try row.string("keyed") == text)
        #expect(try database.count("SELECT count(*) FROM splitlane.exposures") == 1)
    }

    @Test func attributesKeepTheirJSONTypes() throws {
        let database = try TestDatabase()
        var record = Self.record("acct-5", "credit")
        record.attributes = [
            "nps_score": .number(4), "zip": .string("0800"), "vip": .bool(true),
            "revenue": .number(12.5),
        ]
        _ = try database.store.recordExposures([record])

        let types = try database.column(
            """
            SELECT key || '=' || jsonb_typeof(value) FROM splitlane.exposures,
                   jsonb_each(attributes) ORDER BY key
            """)
        #expect(types == ["nps_score=number", "revenue=number", "vip=boolean", "zip=string"])
    }

    @Test(arguments: [1e-7, 1e20, -0.25, 4, -12_345_678_901_234, 0.1, 2.5e-300])
    func numericAttributesReadBackAsTheSameDouble(number: Double) throws {
        let database = try TestDatabase()
        var record = Self.record("acct-n", "credit")
        record.attributes = ["x": .number(number), "ctl\u{1}": .string("a\u{1F}b")]
        _ = try database.store.recordExposures([record])

        let row = try #require(
            try database.store.connection.query(
                """
                SELECT (attributes ->> 'x')::float8 AS x, attributes ->> E'ctl\\x01' AS ctl
                FROM splitlane.exposures
                """
            ).first)
        #expect(try row.double("x") == number)
        #expect(try row.string("ctl") == "a\u{1F}b")
    }
}
