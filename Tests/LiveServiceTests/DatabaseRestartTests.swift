import Dispatch
import Foundation
import Postgres
import SplitlaneStorage
import Synchronization
import Testing

/// The service against a PostgreSQL that stops and starts again under load. The cluster
/// is the test's own (the shared test server must keep running for the other suites).
@Suite(.enabled(if: (try? EmbeddedCluster.binDirectory()) != nil, "needs PostgreSQL binaries"))
struct DatabaseRestartTests {
    /// What the load saw: acknowledged units with their arms, and each refusal's time.
    private struct Tally {
        var acknowledged: [String: String] = [:]
        var refusals = 0
        var slowestRefusal: TimeInterval = 0
        var acknowledgedAfterRestart = 0
    }

    @Test func acknowledgedExposuresSurviveARestartAndRecordingResumesByItself() throws {
        // Directly under /tmp: the postgres user must be able to reach it when root.
        let directory = URL(fileURLWithPath: "/tmp")
            .appendingPathComponent("splitlane-restart-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cluster = EmbeddedCluster(directory: directory)
        defer { try? cluster.stop() }
        let url = try cluster.start()
        let migrating = try SplitlaneStore(url: url)
        try migrating.migrate()
        migrating.connection.close()

        let harness = try ServiceHarness(databaseURL: url)
        let tally = Mutex(Tally())
        let restarted = Atomic<Bool>(false)
        let stopping = Atomic<Bool>(false)
        let group = DispatchGroup()
        for worker in 0..<4 {
            // Threads of their own: the global dispatch pool starts blocked work slowly.
            group.enter()
            Thread {
                defer { group.leave() }
                var index = 0
                while !stopping.load(ordering: .relaxed) {
                    index += 1
                    let unit = "r-\(worker)-\(index)"
                    let started = Date()
                    guard
                        let response = try? harness.post(
                            "/v1/assign", json: ["experiment": "channel-test", "unit": unit])
                    else { continue }
                    let elapsed = Date().timeIntervalSince(started)
                    let arm = response.json["arm"] as? String
                    tally.withLock { tally in
                        if response.status == 503 {
                            tally.refusals += 1
                            tally.slowestRefusal = max(tally.slowestRefusal, elapsed)
                        } else if response.status == 200, response.json["recorded"] as? Bool == true,
                            let arm
                        {
                            tally.acknowledged[unit] = arm
                            if restarted.load(ordering: .relaxed) { tally.acknowledgedAfterRestart += 1 }
                        }
                    }
                    if response.status == 503 { usleep(20_000) }
                }
            }.start()
        }

        waitFor("recording under load") { tally.withLock { $0.acknowledged.count } >= 100 }
        try cluster.stop()
        waitFor("refusals while the database is down") { tally.withLock { $0.refusals } >= 10 }
        let notRecording = try harness.post(
            "/v1/assign", json: ["experiment": "channel-test", "unit": "down-1", "record": false])
        let ready = try harness.get("/readyz", token: nil)

        _ = try cluster.start()
        restarted.store(true, ordering: .relaxed)
        waitFor("recording after the restart") {
            tally.withLock { $0.acknowledgedAfterRestart } >= 100
        }
        stopping.store(true, ordering: .relaxed)
        #expect(group.wait(timeout: .now() + 30) == .success)

        #expect(notRecording.status == 200)
        #expect(notRecording.json["recorded"] as? Bool == false)
        #expect(ready.status == 503)
        let seen = tally.withLock { $0 }
        #expect(seen.slowestRefusal < 2, "a refusal took \(seen.slowestRefusal) s")

        let check = try Connection(url)
        defer { check.close() }
        var stored: [String: String] = [:]
        for row in try check.query("SELECT unit_id, arm FROM splitlane.exposures").rows {
            stored[try row.requiredString("unit_id")] = try row.requiredString("arm")
        }
        var missing = 0
        for (unit, arm) in seen.acknowledged where stored[unit] != arm {
            missing += 1
        }
        #expect(missing == 0, "\(missing) of \(seen.acknowledged.count) acknowledged exposures are not stored")
    }

    /// Polls `condition` every 10 ms for up to 30 s.
    private func waitFor(_ what: String, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(30)
        while !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting for \(what)")
                return
            }
            usleep(10_000)
        }
    }
}
