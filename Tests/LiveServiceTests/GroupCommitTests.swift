import Dispatch
import Foundation
import LiveTestSupport
import Postgres
import Synchronization
import Testing

@Suite(.enabled(if: TestDatabase.isAvailable, "needs SPLITLANE_TEST_DATABASE_URL"))
struct GroupCommitTests {
    /// Requests that share a commit must not share a failure: when PostgreSQL refuses
    /// one request's row, that request gets the error and the others are recorded.
    @Test func aRowPostgreSQLRefusesFailsOnlyItsOwnRequest() throws {
        let database = try TestDatabase()
        // A real refusal from the server, for units whose id starts with "poison".
        try database.store.connection.executeScript(
            """
            CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.unit_id LIKE 'poison%' THEN
                    RAISE EXCEPTION 'unit % is refused', NEW.unit_id;
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_poison BEFORE INSERT ON splitlane.exposures
                FOR EACH ROW EXECUTE FUNCTION refuse_poison();
            """)
        let harness = try ServiceHarness(databaseURL: database.url)

        // A lock held by another session keeps the first commit waiting, so that the
        // requests sent meanwhile queue up and go to PostgreSQL as one batch.
        let lock = try Connection(database.url)
        defer { lock.close() }
        try lock.execute("BEGIN")
        try lock.execute("LOCK TABLE splitlane.exposures IN SHARE MODE")

        let statuses = Mutex<[String: (status: Int, code: String?)]>([:])
        let units = ["blocker", "good-1", "poison-1", "good-2", "good-3"]
        let done = DispatchSemaphore(value: 0)
        for unit in units {
            // Threads of their own: the global dispatch pool starts blocked work slowly.
            Thread {
                let response = try? harness.post(
                    "/v1/assign", json: ["experiment": "channel-test", "unit": unit])
                statuses.withLock { $0[unit] = (response?.status ?? 0, response?.errorCode) }
                done.signal()
            }.start()
            if unit == "blocker" {
                try waitForALockWait(on: database)
            }
        }
        Thread.sleep(forTimeInterval: 0.5)
        try lock.execute("COMMIT")
        for _ in units {
            #expect(done.wait(timeout: .now() + 30) == .success)
        }

        let answered = statuses.withLock { $0 }
        #expect(answered["poison-1"]?.status == 500)
        #expect(answered["poison-1"]?.code == "database_error")
        for unit in units where unit != "poison-1" {
            #expect(answered[unit]?.status == 200, "\(unit): \(String(describing: answered[unit]))")
        }
        #expect(try database.exposures("channel-test").keys.sorted() == ["blocker", "good-1", "good-2", "good-3"])
        #expect(harness.logLines.contains { $0.contains("one at a time") })
        // Two commits: the blocker's, then the four queued requests together.
        let metrics = try harness.get("/metrics", token: nil).text
        #expect(metrics.contains("splitlane_exposure_commit_batch_size_count 2\n"), "\(metrics)")
    }

    /// Waits until some session of the test database waits on a lock: the service's
    /// first commit has reached PostgreSQL and is held.
    private func waitForALockWait(on database: TestDatabase) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let waiting = try database.count(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
                [database.name])
            if waiting > 0 {
                return
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("the first commit never waited on the lock")
    }
}
