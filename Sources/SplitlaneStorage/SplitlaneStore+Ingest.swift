public import Foundation
import Postgres

extension SplitlaneStore {
    /// How often, in rows, the progress callback is called.
    static let progressInterval = 10_000

    /// Loads outcome events from a file or pipe, all or nothing.
    ///
    /// Rows are parsed and validated in Swift as they stream in (about 256 KiB at a
    /// time, so memory stays flat), sent with `COPY` into a temporary staging table,
    /// then moved with one `INSERT … ON CONFLICT DO NOTHING` in the same
    /// transaction. The first invalid row aborts the load: nothing is stored.
    /// - Parameters:
    ///   - handle: Where to read from, such as `FileHandle.standardInput`.
    ///   - format: CSV with a header line, or NDJSON.
    ///   - progress: Called with the number of rows read so far, every 10,000 rows.
    /// - Returns: How many events were new and how many were duplicates.
    /// - Throws: ``StorageError`` `.invalidInput` naming the line and the reason, or
    ///   `.database`.
    public func ingest(
        from handle: FileHandle, format: EventFormat,
        progress: ((Int) -> Void)? = nil
    ) throws -> IngestSummary {
        var reader = EventReader(handle: handle, format: format)
        return try ingest(progress: progress) { try reader.next() }
    }

    /// Loads events already in memory (the HTTP service's JSON), all or nothing.
    public func ingest(events: [OutcomeEvent]) throws -> IngestSummary {
        var iterator = events.makeIterator()
        return try ingest(progress: nil) { iterator.next() }
    }

    private func ingest(
        progress: ((Int) -> Void)?, next: () throws -> OutcomeEvent?
    ) throws -> IngestSummary {
        do {
            return try connection.withTransaction {
                try connection.execute(
                    """
                    CREATE TEMP TABLE splitlane_ingest_staging (
                        event_id text, unit_id text, event text,
                        value double precision, occurred_at timestamptz
                    ) ON COMMIT DROP
                    """)

                var rows = 0
                try connection.copyIn(
                    """
                    COPY splitlane_ingest_staging (event_id, unit_id, event, value, occurred_at)
                    FROM STDIN
                    """
                ) { writer in
                    var line: [UInt8] = []
                    while let event = try next() {
                        line.removeAll(keepingCapacity: true)
                        Self.appendCopyLine(event, to: &line)
                        try writer.write(line)
                        rows += 1
                        if let progress, rows % Self.progressInterval == 0 { progress(rows) }
                    }
                }
                if let progress, rows % Self.progressInterval != 0 { progress(rows) }

                // Merging in key order turns random B-tree inserts into mostly
                // sequential ones: 1.5x faster on a million random units, and faster
                // than a plain COPY into the indexed table (Benchmarks/ingest.sh).
                try connection.execute("SET LOCAL work_mem = '128MB'")
                let inserted = try connection.execute(
                    """
                    INSERT INTO splitlane.events (event_id, unit_id, event, value, occurred_at)
                    SELECT event_id, unit_id, event, value, occurred_at
                    FROM splitlane_ingest_staging
                    ORDER BY unit_id, event_id
                    ON CONFLICT (unit_id, event_id) DO NOTHING
                    """)
                return IngestSummary(inserted: inserted, duplicates: rows - inserted)
            }
        } catch let error as PostgresError {
            throw StorageError.database(error, "cannot ingest events")
        }
    }

    /// Appends one row in COPY's text format: tab-separated, `\N` for NULL, and
    /// backslash, tab, newline and carriage return escaped.
    static func appendCopyLine(_ event: OutcomeEvent, to line: inout [UInt8]) {
        appendCopyField(event.eventID, to: &line)
        line.append(0x09)
        appendCopyField(event.unitID, to: &line)
        line.append(0x09)
        appendCopyField(event.event, to: &line)
        line.append(0x09)
        if let value = event.value {
            line.append(contentsOf: (value.postgresText ?? "").utf8)
        } else {
            line.append(contentsOf: "\\N".utf8)
        }
        line.append(0x09)
        line.append(contentsOf: PostgresTimestamp.format(event.occurredAt).utf8)
        line.append(0x0A)
    }

    private static func appendCopyField(_ text: String, to line: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): line.append(contentsOf: "\\\\".utf8)
            case 0x09: line.append(contentsOf: "\\t".utf8)
            case 0x0A: line.append(contentsOf: "\\n".utf8)
            case 0x0D: line.append(contentsOf: "\\r".utf8)
            default: line.append(byte)
            }
        }
    }
}
