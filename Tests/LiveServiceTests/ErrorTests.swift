import Foundation
import LiveTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isAvailable, "needs SPLITLANE_TEST_DATABASE_URL"))
struct ErrorTests {
    /// A body, the code it must be refused with, and a word the message must contain.
    static let badBodies: [(body: [UInt8], code: String, mentions: String)] = [
        (Array("{\"experiment\": ".utf8), "malformed_json", "JSON"),
        (Array("[1,2]".utf8), "invalid_request", "object"),
        ([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], "invalid_utf8", "UTF-8"),
        (Array("{\"experiment\":1,\"unit\":\"u\"}".utf8), "invalid_request", "\"experiment\""),
        (Array("{\"experiment\":\"channel-test\"}".utf8), "invalid_request", "\"unit\""),
        (Array("{\"experiment\":\"channel-test\",\"unit\":\"u\",\"record\":\"yes\"}".utf8),
         "invalid_request", "boolean"),
        (Array("{\"experiment\":\"channel-test\",\"unit\":\"u\",\"attributes\":{\"a\":[1]}}".utf8),
         "invalid_request", "attribute \"a\""),
        (Array("{\"experiment\":\"channel-test\",\"unit\":\"u\",\"recrod\":false}".utf8),
         "invalid_request", "recrod"),
        // PostgreSQL stores neither a NUL in jsonb text nor a year 0: refused here, they
        // would fail every request sharing their group commit.
        (Array("{\"experiment\":\"channel-test\",\"unit\":\"u\",\"attributes\":{\"region\":\"a\\u0000\"}}".utf8),
         "invalid_request", "attribute \"region\""),
        (Array("{\"experiment\":\"channel-test\",\"unit\":\"u\",\"attributes\":{\"re\\u0000\":\"a\"}}".utf8),
         "invalid_request", "NUL"),
        (Array("{\"experiment\":\"channel-test\",\"unit\":\"u\",\"at\":\"0000-06-01T00:00:00Z\"}".utf8),
         "invalid_request", "\"at\""),
        // A B-tree entry holds at most 2,704 bytes; unit ids are held to 1,024.
        (Array("{\"experiment\":\"channel-test\",\"unit\":\"\(String(repeating: "x", count: 1_025))\"}".utf8),
         "invalid_request", "at most 1024 bytes"),
    ]

    @Test(arguments: 0..<badBodies.count)
    func aBadBodyIs400WithAPreciseMessage(index: Int) throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        let bad = Self.badBodies[index]

        let response = try harness.post("/v1/assign", bytes: bad.body)

        #expect(response.status == 400)
        #expect(response.errorCode == bad.code)
        let message = (response.json["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains(bad.mentions), "\(message)")
        #expect(try database.count("SELECT count(*) FROM splitlane.exposures") == 0)
    }

    @Test(arguments: [nil, "wrong-token-0123456789", "test-token-012345678", ""] as [String?])
    func everyV1RouteNeedsAValidToken(token: String?) throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        for path in ["/v1/experiments", "/v1/experiments/channel-test",
                     "/v1/experiments/channel-test/readout"] {
            let response = try harness.get(path, token: token)
            #expect(response.status == 401)
            #expect(response.errorCode == "unauthorized")
        }
        let assign = try TestHTTPClient.request(
            port: harness.port, "POST", "/v1/assign",
            body: Array("{\"experiment\":\"channel-test\",\"unit\":\"x\"}".utf8), token: token)
        #expect(assign.status == 401)
        #expect(try database.count("SELECT count(*) FROM splitlane.exposures") == 0)
    }

    @Test func unknownRoutesAre404AndWrongMethods405() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        let missing = try harness.get("/v2/assign")
        let wrong = try TestHTTPClient.request(port: harness.port, "DELETE", "/v1/experiments")
        let unknownExperiment = try harness.post("/v1/assign", json: ["experiment": "nope", "unit": "u"])

        #expect(missing.status == 404)
        #expect(missing.errorCode == "not_found")
        #expect(wrong.status == 405)
        #expect(wrong.headers["allow"] == "GET, HEAD")
        #expect(unknownExperiment.status == 404)
        #expect(unknownExperiment.errorCode == "unknown_experiment")
    }

    @Test func longInputIsQuotedCutInMessages() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)
        let key = String(repeating: "k", count: 5_000)

        let response = try harness.post("/v1/assign", json: ["experiment": key, "unit": "u"])

        #expect(response.status == 404)
        let message = (response.json["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("\"" + String(repeating: "k", count: 64) + "…\""), "\(message)")
        #expect(message.count < 200)
    }

    @Test func aBodyOverOneMebibyteIs413() throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        let response = try TestHTTPClient.request(
            port: harness.port, "POST", "/v1/events",
            extraHeaders: ["Content-Length: \((1 << 20) + 1)"])

        #expect(response.status == 413)
        #expect(response.errorCode == "payload_too_large")
    }

    @Test(arguments: ["/v1/assign", "/v1/assign/batch", "/v1/events"])
    func anUnsupportedContentTypeIs415(path: String) throws {
        let database = try TestDatabase()
        let harness = try ServiceHarness(databaseURL: database.url)

        let response = try harness.post(path, bytes: Array("unit=1".utf8), contentType: "text/csv")

        #expect(response.status == 415)
        #expect(response.errorCode == "unsupported_media_type")
    }
}

@Suite(.enabled(if: TestDatabase.isAvailable, "needs SPLITLANE_TEST_DATABASE_URL"))
struct DatabaseDownTests {
    @Test func recordingIs503AndRecordFalseStillAnswers() throws {
        let port = try TestHTTPClient.closedPort()
        let url = "postgresql://splitlane@127.0.0.1:\(port)/postgres?connect_timeout=2"
        let harness = try ServiceHarness(databaseURL: url)

        let recording = try harness.post("/v1/assign", json: ["experiment": "channel-test", "unit": "d-1"])
        let batch = try harness.post(
            "/v1/assign/batch", json: ["experiment": "channel-test", "units": [["unit": "d-2"]]])
        let notRecording = try harness.post(
            "/v1/assign", json: ["experiment": "channel-test", "unit": "d-1", "record": false])
        let events = try harness.post("/v1/events", bytes: Array("[]".utf8))
        let ready = try harness.get("/readyz", token: nil)
        let health = try harness.get("/healthz", token: nil)

        #expect(recording.status == 503)
        #expect(recording.errorCode == "database_unavailable")
        #expect(batch.status == 503)
        #expect(notRecording.status == 200)
        #expect(notRecording.json["recorded"] as? Bool == false)
        #expect(events.status == 503)
        #expect(ready.status == 503)
        #expect(health.status == 200)
    }
}
