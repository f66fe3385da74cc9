public import Foundation

/// One outcome event: something a unit did or answered, at a time.
public struct OutcomeEvent: Sendable, Hashable {
    /// Unique per unit; re-ingesting the same `(unitID, eventID)` is a no-op.
    public var eventID: String
    public var unitID: String
    /// The event name metrics refer to: `order`, `churn`, `survey_response`, …
    public var event: String
    /// The event's number (revenue, NPS score), or `nil`.
    public var value: Double?
    public var occurredAt: Date

    /// Makes an event from its parts.
    public init(eventID: String, unitID: String, event: String, value: Double?, occurredAt: Date) {
        self.eventID = eventID
        self.unitID = unitID
        self.event = event
        self.value = value
        self.occurredAt = occurredAt
    }
}

/// The file formats ``SplitlaneStore/ingest(from:format:progress:)`` reads.
public enum EventFormat: String, Sendable, CaseIterable {
    /// RFC 4180 CSV with a header line naming the five columns in any order.
    case csv
    /// One JSON object per line with the five fields; blank lines are skipped.
    case ndjson
}

/// Counts from one ingest.
public struct IngestSummary: Sendable, Hashable {
    /// Events newly stored.
    public var inserted: Int
    /// Events already stored, or repeated within the input.
    public var duplicates: Int

    /// Makes a summary from its counts.
    public init(inserted: Int, duplicates: Int) {
        self.inserted = inserted
        self.duplicates = duplicates
    }
}
