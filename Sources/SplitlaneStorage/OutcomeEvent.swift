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

/// How long an identifier stored in a primary key may be: a unit id, an event id or an
/// event name, in UTF-8 bytes.
///
/// PostgreSQL refuses a B-tree entry over 2,704 bytes, and the widest keys hold two
/// identifiers (`unit_id` with `event_id`, or with `event`), so each is held well under
/// half of that. Longer input is refused where it enters, naming the field.
public let maximumIdentifierBytes = 1_024

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

extension OutcomeEvent {
    /// Decodes the body of an HTTP request: a JSON array of event objects, or NDJSON
    /// (one object per line), with the same validation as file ingest.
    /// - Throws: ``StorageError`` `.invalidInput` naming the line (NDJSON) or the
    ///   1-based position in the array (`event 3: …`).
    public static func decode(body: [UInt8]) throws -> [OutcomeEvent] {
        let firstSignificant = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        guard firstSignificant == UInt8(ascii: "[") else {
            var reader = EventReader(bytes: body, format: .ndjson)
            var events: [OutcomeEvent] = []
            while let event = try reader.next() { events.append(event) }
            return events
        }

        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body))
        } catch {
            throw StorageError(code: .invalidInput, message: "the body is not valid JSON")
        }
        guard let elements = parsed as? [Any] else {
            throw StorageError(code: .invalidInput, message: "the body is not a JSON array")
        }
        let reader = EventReader(bytes: [], format: .ndjson)
        var events: [OutcomeEvent] = []
        events.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard let fields = element as? [String: Any] else {
                throw StorageError(
                    code: .invalidInput, message: "event \(index + 1): not a JSON object")
            }
            do {
                events.append(try reader.makeEvent(fields: fields, line: index + 1))
            } catch let error as StorageError {
                let reason = error.message.drop { $0 != ":" }.dropFirst(2)
                throw StorageError(code: .invalidInput, message: "event \(index + 1): \(reason)")
            }
        }
        return events
    }
}
