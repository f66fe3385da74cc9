import Foundation
import LiveTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isAvailable, "needs SPLITLANE_TEST_DATABASE_URL"))
struct RouteTests {
    @Test func assignRecordsTheExposureBeforeAnswering() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        let response = try harness.post(
            "/v1/assign",
            json: ["experiment": "channel-test", "unit": "d-1", "attributes": ["region": "north"]])

        #expect(response.status == 200)
        let json = response.json
        #expect(json["experiment"] as? String == "channel-test")
        #expect(json["unit"] as? String == "d-1")
        #expect(json["reason"] as? String == "assigned")
        #expect(json["recorded"] as? Bool == true)
        let arm = try #require(json["arm"] as? String)
        #expect(try database.exposures("channel-test") == ["d-1": arm])
        let attributes = try database.store.connection.query(
            "SELECT attributes->>'region' AS region FROM splitlane.exposures")
        #expect(try attributes.rows.first?.string("region") == "north")
    }

    @Test func recordFalseAnswersWithoutWriting() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        let response = try harness.post(
            "/v1/assign", json: ["experiment": "channel-test", "unit": "d-2", "record": false])

        #expect(response.status == 200)
        #expect(response.json["recorded"] as? Bool == false)
        #expect(response.json["arm"] is String)
        #expect(try database.count("SELECT count(*) FROM splitlane.exposures") == 0)
    }

    @Test func unitsWithoutAnArmAreNotRecorded() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        let blocked = try harness.post(
            "/v1/assign",
            json: ["experiment": "channel-test", "unit": "d-3", "attributes": ["blocked": true]])
        let draft = try harness.post("/v1/assign", json: ["experiment": "draft-test", "unit": "a-1"])

        #expect(blocked.json["reason"] as? String == "not_eligible")
        #expect(blocked.json["arm"] is NSNull)
        #expect(blocked.json["recorded"] as? Bool == false)
        #expect(draft.json["reason"] as? String == "inactive")
        #expect(try database.count("SELECT count(*) FROM splitlane.exposures") == 0)
    }

    @Test func aConflictAnswersWithTheArmAlreadyRecorded() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        let first = try harness.post(
            "/v1/assign", json: ["experiment": "channel-test", "unit": "d-4", "record": false])
        let assigned = try #require(first.json["arm"] as? String)
        let other = assigned == "email" ? "sms" : "email"
        try database.store.connection.execute(
            """
            INSERT INTO splitlane.exposures (experiment, unit_id, arm, source)
            VALUES ('channel-test', 'd-4', $1, 'test')
            """, [other])

        let response = try harness.post("/v1/assign", json: ["experiment": "channel-test", "unit": "d-4"])

        #expect(response.status == 200)
        #expect(response.json["arm"] as? String == other)
        #expect(response.json["conflict"] as? Bool == true)
        #expect(try database.exposures("channel-test") == ["d-4": other])
    }

    @Test func batchAssignsAndRecordsInOneAnswer() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        let units: [[String: Any]] = (0..<50).map { ["unit": "b-\($0)", "attributes": ["region": "r"]] }
            + [["unit": "qa-unit"]]

        let response = try harness.post(
            "/v1/assign/batch", json: ["experiment": "channel-test", "units": units])

        #expect(response.status == 200)
        let results = try #require(response.json["results"] as? [[String: Any]])
        #expect(results.count == 51)
        #expect(results.allSatisfy { $0["recorded"] as? Bool == true })
        #expect(results.last?["reason"] as? String == "override")
        #expect(results.last?["arm"] as? String == "sms")
        let stored = try database.exposures("channel-test")
        #expect(stored.count == 51)
        for result in results {
            #expect(stored[result["unit"] as? String ?? ""] == result["arm"] as? String)
        }
    }

    @Test func batchOverTheLimitIs413() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        let units = (0...10_000).map { ["unit": "u\($0)"] }

        let response = try harness.post(
            "/v1/assign/batch", json: ["experiment": "channel-test", "units": units, "record": false])

        #expect(response.status == 413)
        #expect(response.errorCode == "too_many_units")
    }

    @Test func eventsAsAJSONArrayAndAsNDJSON() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        let events: [[String: Any]] = [
            ["event_id": "e1", "unit_id": "d-1", "event": "survey_response", "value": 9,
             "occurred_at": "2026-10-01T12:00:00Z", "survey": "extra fields are ignored"],
            ["event_id": "e2", "unit_id": "d-1", "event": "survey_opened", "value": NSNull(),
             "occurred_at": "2026-10-01T11:00:00Z"],
        ]
        let ndjson = """
            {"event_id":"e2","unit_id":"d-1","event":"survey_opened","occurred_at":"2026-10-01T11:00:00Z"}

            {"event_id":"e3","unit_id":"d-2","event":"survey_response","value":3,\
            "occurred_at":"2026-10-02T11:00:00+02:00"}
            """

        let array = try harness.post("/v1/events", json: events)
        let lines = try harness.post(
            "/v1/events", bytes: Array(ndjson.utf8), contentType: "application/x-ndjson")

        #expect(array.status == 200)
        #expect(array.json["inserted"] as? Int == 2)
        #expect(array.json["duplicates"] as? Int == 0)
        #expect(lines.status == 200)
        #expect(lines.json["inserted"] as? Int == 1)
        #expect(lines.json["duplicates"] as? Int == 1)
        #expect(try database.count("SELECT count(*) FROM splitlane.events") == 3)
    }

    @Test func anInvalidEventStoresNothing() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        let ndjson = """
            {"event_id":"e1","unit_id":"d-1","event":"order","value":10,"occurred_at":"2026-10-01T12:00:00Z"}
            {"event_id":"e2","unit_id":"d-1","event":"order","value":"ten","occurred_at":"2026-10-01T12:00:00Z"}
            """

        let response = try harness.post(
            "/v1/events", bytes: Array(ndjson.utf8), contentType: "application/x-ndjson")

        #expect(response.status == 400)
        let message = (response.json["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("line 2"))
        #expect(message.contains("\"value\""))
        #expect(try database.count("SELECT count(*) FROM splitlane.events") == 0)
    }

    @Test func experimentsListAndShow() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        let list = try harness.get("/v1/experiments")
        let one = try harness.get("/v1/experiments/channel-test")
        let missing = try harness.get("/v1/experiments/nope")

        #expect(list.status == 200)
        let keys = (list.json["experiments"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
        #expect(keys == ["channel-test", "draft-test"])
        #expect(one.status == 200)
        #expect(one.json["status"] as? String == "running")
        #expect((one.json["arms"] as? [[String: Any]])?.count == 2)
        #expect(missing.status == 404)
        #expect(missing.errorCode == "unknown_experiment")
    }

    @Test func readoutAnswersTheJSONDocument() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        let units = (0..<20).map { ["unit": "r-\($0)", "attributes": ["region": $0 % 2 == 0 ? "n" : "s"]] }
        _ = try harness.post("/v1/assign/batch", json: ["experiment": "channel-test", "units": units])

        let plain = try harness.get("/v1/experiments/channel-test/readout?as_of=2030-01-01T00:00:00Z")
        let bySegment = try harness.get("/v1/experiments/channel-test/readout?by=region")
        let badSegment = try harness.get("/v1/experiments/channel-test/readout?by=vertical")
        let badTime = try harness.get("/v1/experiments/channel-test/readout?as_of=yesterday")

        #expect(plain.status == 200, "\(plain.text)")
        #expect(plain.json["experiment"] as? String == "channel-test")
        let arms = plain.json["arms"] as? [[String: Any]] ?? []
        #expect(arms.compactMap { $0["units"] as? Int }.reduce(0, +) == 20)
        #expect(bySegment.status == 200, "\(bySegment.text)")
        #expect((bySegment.json["segments"] as? [Any])?.isEmpty == false)
        #expect(badSegment.status == 400)
        #expect(badTime.status == 400)
    }

    @Test func headAnswersLikeGetWithoutTheBody() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        let get = try harness.get("/v1/experiments")
        let head = try TestHTTPClient.request(port: harness.port, "HEAD", "/v1/experiments", contentType: nil)
        let probe = try TestHTTPClient.request(
            port: harness.port, "HEAD", "/healthz", contentType: nil, token: nil)
        let onPost = try TestHTTPClient.request(port: harness.port, "HEAD", "/v1/assign", contentType: nil)

        #expect(get.status == 200)
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["content-length"] == String(get.body.count))
        #expect(probe.status == 200)
        #expect(onPost.status == 405)
        #expect(onPost.headers["allow"] == "POST")
    }

    @Test func healthReadinessAndMetrics() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        _ = try harness.post("/v1/assign", json: ["experiment": "channel-test", "unit": "m-1"])

        let health = try harness.get("/healthz", token: nil)
        let ready = try harness.get("/readyz", token: nil)
        let metrics = try harness.get("/metrics", token: nil)

        #expect(health.status == 200)
        #expect(ready.status == 200)
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("splitlane_http_requests_total{route=\"/v1/assign\",status=\"200\"} 1"))
        #expect(metrics.text.contains("splitlane_exposures_recorded_total 1"))
        #expect(metrics.text.contains("splitlane_exposure_commit_batch_size_count 1"))
    }

    @Test func everyRequestIsLoggedWithoutTheToken() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        _ = try harness.post("/v1/assign", json: ["experiment": "channel-test", "unit": "l-1"])
        _ = try harness.get("/v1/experiments", token: "wrong-token")

        let requests = harness.logLines.filter { $0.contains("msg=request") }
        #expect(requests.count == 2)
        #expect(requests.contains {
            $0.contains("method=POST") && $0.contains("route=/v1/assign") && $0.contains("status=200")
                && $0.contains("experiment=channel-test") && $0.contains("duration_ms=")
        })
        #expect(!harness.logLines.contains { $0.contains(TestHTTPClient.token) || $0.contains("wrong-token") })
        let duration = /duration_ms=[0-9]+\.[0-9]{3}(\s|$)/
        #expect(requests.allSatisfy { $0.contains(duration) }, "\(requests)")
    }

    @Test func reloadSwapsAValidSetAndRefusesAnInvalidOne() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        let path = harness.experimentsPath

        try FileManager.default.removeItem(atPath: path + "/draft.yaml")
        #expect(harness.service.reloadDefinitions())
        #expect(try harness.get("/v1/experiments/draft-test").status == 404)

        try "key: broken\narms: 3\n".write(toFile: path + "/broken.yaml", atomically: true, encoding: .utf8)
        #expect(!harness.service.reloadDefinitions())
        #expect(try harness.get("/v1/experiments/channel-test").status == 200)
        #expect(harness.logLines.contains { $0.contains("reload refused") })
    }

    @Test func aSlowClientDoesNotBlockOthers() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url, threads: 1)
        let slow = try TestHTTPClient.connect(port: harness.port)
        defer { close(slow) }
        let head = "POST /v1/assign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer \(TestHTTPClient.token)\r\nContent-Length: 60\r\n\r\n{\"experi"
        try TestHTTPClient.write(slow, Array(head.utf8))

        for index in 0..<20 {
            let response = try harness.post(
                "/v1/assign", json: ["experiment": "channel-test", "unit": "fast-\(index)"])
            #expect(response.status == 200)
        }

        let rest = "ment\":\"channel-test\",\"unit\":\"slow-1\"}"
        let padding = String(repeating: " ", count: 60 - 8 - rest.utf8.count)
        try TestHTTPClient.write(slow, Array((rest + padding).utf8))
        let late = try TestHTTPClient.readResponse(slow)
        #expect(late.status == 200)
        #expect(late.json["unit"] as? String == "slow-1")
    }
}
