import Foundation

/// RFC 3339 timestamps, as the CLI reads and writes them.
enum Timestamp {
    /// Parses `2026-12-03T00:00:00Z`, with optional fractional seconds and a
    /// numeric offset; a bare date (`2026-12-03`) means its midnight UTC.
    static func parse(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        return dateOnly.date(from: text)
    }

    /// Formats as `2026-12-03T00:00:00Z`.
    static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
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
