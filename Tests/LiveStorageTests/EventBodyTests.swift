import Foundation
import SplitlaneStorage
import Testing

/// Decoding of HTTP event bodies; pure parsing, no database.
struct EventBodyTests {
    @Test func aJSONArrayDecodes() throws {
        let body = """
            [{"event_id":"e1","unit_id":"u1","event":"order","value":12.5,
              "occurred_at":"2026-10-02T08:00:00Z"},
             {"event_id":"e2","unit_id":"u1","event":"churn","occurred_at":"2026-10-03T08:00:00Z"}]
            """
        let events = try OutcomeEvent.decode(body: Array(body.utf8))

        #expect(events.map(\.eventID) == ["e1", "e2"])
        #expect(events.map(\.value) == [12.5, nil])
    }

    @Test func ndjsonDecodes() throws {
        let body = """
            {"event_id":"e1","unit_id":"u1","event":"order","occurred_at":"2026-10-02T08:00:00Z"}
            {"event_id":"e2","unit_id":"u2","event":"order","occurred_at":"2026-10-02T09:00:00Z"}
            """
        let events = try OutcomeEvent.decode(body: Array(body.utf8))

        #expect(events.map(\.unitID) == ["u1", "u2"])
    }

    @Test(arguments: [
        (
            #"[{"event_id":"e1","unit_id":"u1","event":"order","occurred_at":"2026-10-02T08:00:00Z"}, 3]"#,
            "event 2: not a JSON object"
        ),
        (
            #"[{"event_id":"e1","unit_id":"u1","event":"order","occurred_at":"soon"}]"#,
            "event 1: occurred_at \"soon\" is not an RFC 3339 time like 2026-10-01T12:00:00Z"
        ),
        (
            #"[{"event_id":"e1","event":"order","occurred_at":"2026-10-02T08:00:00Z"}]"#,
            "event 1: missing field \"unit_id\""
        ),
        (
            #"[{"event_id":"e1","unit_id":"u","event":"o","value":true,"occurred_at":"2026-10-02T08:00:00Z"}]"#,
            "event 1: value must be a number, got a boolean"
        ),
        ("{\"event_id\":\"e1\"}\nnot json\n", "line 1: missing field \"unit_id\""),
        (
            #"[{"event_id":"e1","unit_id":"u","event":"o","occurred_at":"2026-10-02T08:00:00Z"},"#
                + #"{"event_id":"\#(String(repeating: "7", count: 1_025))","unit_id":"u","event":"o","#
                + #""occurred_at":"2026-10-02T08:00:00Z"}]"#,
            "event 2: event_id is longer than 1024 bytes"
        ),
    ])
    func badBodiesNameTheEvent(body: String, message: String) throws {
        let error = try #require(throws: StorageError.self) {
            try OutcomeEvent.decode(body: Array(body.utf8))
        }
        #expect(error.message == message)
    }
}
