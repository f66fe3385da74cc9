import Foundation
import SplitlaneJSON
import SplitlaneStorage

/// `splitlane ingest`: loads outcome events, all or nothing.
enum IngestCommand: Command {
    static let spec = CommandSpec(
        path: ["ingest"],
        abstract: "Load outcome events (orders, churn, survey responses), all or nothing.",
        arguments: [ArgumentSpec("FILE", help: "A CSV or NDJSON file, or - for stdin.")],
        options: [
            OptionSpec("input-format", value: "FORMAT", help: "Input format (default: from the file name, else csv).",
                choices: ["csv", "ndjson"]),
            OptionSpec("format", value: "FORMAT", help: "Output format.", choices: ["text", "json"]),
            .databaseURL,
        ],
        examples: [
            "splitlane ingest events.csv",
            "cat responses.ndjson | splitlane ingest - --input-format ndjson --format json",
        ],
        discussion: """
            Fields: event_id, unit_id, event, value (a number, or empty), occurred_at \
            (RFC 3339). CSV needs a header line. A bad row (unparsable time, non-numeric \
            value, missing field, wrong column count, invalid UTF-8) fails the load, names \
            its line, and loads nothing. Re-ingesting an event (same unit_id and event_id) \
            is a no-op, counted as a duplicate.
            """
    )

    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let path = arguments.value("FILE") ?? "-"
        let format: EventFormat
        if let name = arguments.value("input-format") {
            format = EventFormat(rawValue: name) ?? .csv
        } else {
            format = path.hasSuffix(".ndjson") || path.hasSuffix(".jsonl") ? .ndjson : .csv
        }

        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let file = FileHandle(forReadingAtPath: path) else {
                throw CLIError("cannot open \(path): \(String(cString: strerror(errno)))")
            }
            handle = file
        }

        let store = try context.openStore(arguments)
        let console = context.console
        var lastShown = Date()
        let summary: IngestSummary
        do {
            summary = try store.ingest(from: handle, format: format) { rows in
                if console.isErrorTerminal, Date().timeIntervalSince(lastShown) > 0.25 {
                    lastShown = Date()
                    console.progress("ingesting: \(rows) rows read…")
                }
            }
        } catch let error as StorageError where error.code == .invalidInput {
            console.endProgress()
            // "line 1234: …" becomes "events.csv:1234: …", as editors read it.
            let name = path == "-" ? "stdin" : path
            let location = error.message.hasPrefix("line ")
                ? name + ":" + error.message.dropFirst(5)
                : name + ": " + error.message
            throw CLIError(location + "; nothing was loaded")
        }
        console.endProgress()

        if arguments.value("format") == "json" {
            let document = JSONValue.object([
                ("inserted", .number(Double(summary.inserted))),
                ("duplicates", .number(Double(summary.duplicates))),
            ])
            console.write(document.serialized() + "\n")
        } else {
            console.write("inserted \(summary.inserted) events, \(summary.duplicates) duplicates\n")
        }
        return 0
    }
}
