import Foundation
import Postgres

/// RFC 3339 timestamps, as the CLI reads and writes them.
enum Timestamp {
    /// Parses `2026-12-03T00:00:00Z`, with optional fractional seconds and a numeric
    /// offset; a bare date (`2026-12-03`) means its midnight UTC.
    static func parse(_ text: String) -> Date? {
        if let date = PostgresTimestamp.parse(text) { return date }
        guard text.utf8.count == 10 else { return nil }
        return PostgresTimestamp.parse(text + "T00:00:00Z")
    }

    /// Formats as `2026-12-03T00:00:00Z`, with microseconds only when there are any.
    static func format(_ date: Date) -> String {
        let text = PostgresTimestamp.format(date)
        return text.hasSuffix(".000000Z") ? String(text.dropLast(8)) + "Z" : text
    }

    /// Parses an option's value or fails with a usage error that names the option.
    static func option(_ name: String, _ arguments: ParsedArguments, spec: CommandSpec) throws -> Date? {
        guard let text = arguments.value(name) else { return nil }
        guard let date = parse(text) else {
            throw UsageError(
                "--\(name) must be an RFC 3339 time such as 2026-12-03T00:00:00Z; got \"\(text)\"",
                command: spec.path)
        }
        return date
    }
}
