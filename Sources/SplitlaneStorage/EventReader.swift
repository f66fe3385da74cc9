import Foundation
import Postgres
import SplitlaneDefinitions

/// Reads outcome events from a byte stream in chunks, validating each row and naming
/// the line of the first invalid one. Memory holds one chunk and one row at a time.
struct EventReader {
    static let columns = ["event_id", "unit_id", "event", "value", "occurred_at"]

    /// Where the bytes come from: a file or pipe, read in chunks, or bytes in memory.
    private let handle: FileHandle?
    private let format: EventFormat
    private var chunk: [UInt8] = []
    private var position = 0
    private var isAtEnd = false
    /// The line the reader is on, counted from 1.
    private var line = 1
    /// For CSV: where each of the five columns sits in a row.
    private var columnOrder: [Int] = []
    private var headerCount = 0
    private var hasReadHeader = false

    init(handle: FileHandle, format: EventFormat) {
        self.handle = handle
        self.format = format
    }

    /// A reader over bytes already in memory.
    init(bytes: [UInt8], format: EventFormat) {
        self.handle = nil
        self.format = format
        self.chunk = bytes
        self.isAtEnd = true
    }

    /// The next valid event, or `nil` at the end of the input.
    /// - Throws: ``StorageError`` `.invalidInput` naming the line and the reason.
    mutating func next() throws -> OutcomeEvent? {
        switch format {
        case .csv: return try nextCSV()
        case .ndjson: return try nextNDJSON()
        }
    }

    // MARK: Bytes

    private mutating func peekByte() throws -> UInt8? {
        if position == chunk.count {
            guard !isAtEnd, let handle else { return nil }
            let data: Data?
            do {
                data = try handle.read(upToCount: 256 * 1024)
            } catch {
                throw StorageError(code: .io, message: "cannot read the input: \(error)")
            }
            guard let data, !data.isEmpty else {
                isAtEnd = true
                return nil
            }
            chunk = Array(data)
            position = 0
        }
        return chunk[position]
    }

    private mutating func nextByte() throws -> UInt8? {
        guard let byte = try peekByte() else { return nil }
        position += 1
        if byte == UInt8(ascii: "\n") { line += 1 }
        return byte
    }

    private func invalid(_ line: Int, _ reason: String) -> StorageError {
        StorageError(code: .invalidInput, message: "line \(line): \(reason)")
    }

    // MARK: CSV

    /// Reads one CSV record (quoted fields may span lines); `nil` at the end.
    private mutating func readCSVRecord() throws -> (fields: [[UInt8]], line: Int)? {
        let startLine = line
        guard try peekByte() != nil else { return nil }
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var inQuotes = false
        var wasQuoted = false

        while let byte = try nextByte() {
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if try peekByte() == UInt8(ascii: "\"") {
                        _ = try nextByte()
                        field.append(byte)
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                fields.append(field)
                field = []
                wasQuoted = false
            case UInt8(ascii: "\n"):
                if field.last == UInt8(ascii: "\r"), !wasQuoted { field.removeLast() }
                fields.append(field)
                return (fields, startLine)
            case UInt8(ascii: "\""):
                guard field.isEmpty, !wasQuoted else {
                    throw invalid(line, "a quote inside an unquoted field")
                }
                inQuotes = true
                wasQuoted = true
            default:
                if wasQuoted, byte != UInt8(ascii: "\r") {
                    throw invalid(line, "text after a closing quote")
                }
                if !wasQuoted || byte != UInt8(ascii: "\r") { field.append(byte) }
            }
        }
        if inQuotes { throw invalid(startLine, "a quoted field is not closed") }
        fields.append(field)
        return (fields, startLine)
    }

    private mutating func readCSVHeader() throws {
        guard let (fields, headerLine) = try readCSVRecord() else {
            throw invalid(1, "the input is empty; CSV needs a header line")
        }
        var names: [String] = []
        for field in fields {
            guard var name = String(validating: field, as: UTF8.self) else {
                throw invalid(headerLine, "the header is not valid UTF-8")
            }
            if names.isEmpty, name.hasPrefix("\u{FEFF}") { name.removeFirst() }
            names.append(name.trimmingCharacters(in: .whitespaces))
        }
        var order: [Int] = []
        for column in Self.columns {
            guard let index = names.firstIndex(of: column) else {
                throw invalid(
                    headerLine,
                    "the header lacks column \"\(column)\"; expected "
                        + Self.columns.joined(separator: ","))
            }
            order.append(index)
        }
        columnOrder = order
        headerCount = names.count
        hasReadHeader = true
    }

    private mutating func nextCSV() throws -> OutcomeEvent? {
        if !hasReadHeader { try readCSVHeader() }
        while let (fields, rowLine) = try readCSVRecord() {
            if fields.count == 1, fields[0].isEmpty { continue }
            guard fields.count == headerCount else {
                throw invalid(
                    rowLine, "expected \(headerCount) columns, found \(fields.count)")
            }
            var texts: [String] = []
            for (index, column) in columnOrder.enumerated() {
                guard let text = String(validating: fields[column], as: UTF8.self) else {
                    throw invalid(rowLine, "\(Self.columns[index]) is not valid UTF-8")
                }
                texts.append(text)
            }
            return try makeEvent(
                texts[0], texts[1], texts[2], value: texts[3].isEmpty ? nil : .text(texts[3]),
                occurredAt: texts[4], line: rowLine)
        }
        return nil
    }

    // MARK: NDJSON

    private mutating func nextNDJSON() throws -> OutcomeEvent? {
        while true {
            let rowLine = line
            guard try peekByte() != nil else { return nil }
            var bytes: [UInt8] = []
            while let byte = try nextByte(), byte != UInt8(ascii: "\n") {
                bytes.append(byte)
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            guard String(validating: bytes, as: UTF8.self) != nil else {
                throw invalid(rowLine, "the line is not valid UTF-8")
            }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(bytes))
            } catch {
                throw invalid(rowLine, "not a JSON object")
            }
            guard let fields = object as? [String: Any] else {
                throw invalid(rowLine, "not a JSON object")
            }
            return try makeEvent(fields: fields, line: rowLine)
        }
    }

    /// Validates one decoded JSON object; errors start with `line N: `.
    func makeEvent(fields: [String: Any], line: Int) throws -> OutcomeEvent {
        func text(_ name: String) throws -> String {
            guard let value = fields[name], !(value is NSNull) else {
                throw invalid(line, "missing field \"\(name)\"")
            }
            if let string = value as? String { return string }
            if let number = value as? NSNumber, name != "occurred_at" {
                return number.stringValue
            }
            throw invalid(line, "field \"\(name)\" must be a string")
        }
        let value: RawValue?
        switch fields["value"] {
        case nil, is NSNull: value = nil
        case let string as String: value = string.isEmpty ? nil : .text(string)
        case let number as NSNumber:
            if isJSONBoolean(number) {
                throw invalid(line, "value must be a number, got a boolean")
            }
            value = .number(number.doubleValue)
        default: throw invalid(line, "value must be a number")
        }
        return try makeEvent(
            try text("event_id"), try text("unit_id"), try text("event"), value: value,
            occurredAt: try text("occurred_at"), line: line)
    }

    // MARK: Validation

    enum RawValue {
        case text(String)
        case number(Double)
    }

    private func makeEvent(
        _ eventID: String, _ unitID: String, _ event: String, value: RawValue?,
        occurredAt: String, line: Int
    ) throws -> OutcomeEvent {
        for (name, text) in [("event_id", eventID), ("unit_id", unitID), ("event", event)]
        where text.isEmpty {
            throw invalid(line, "missing \(name)")
        }
        if [eventID, unitID, event].contains(where: { $0.utf8.contains(0) }) {
            throw invalid(line, "a field contains a NUL character")
        }
        for (name, text) in [("event_id", eventID), ("unit_id", unitID), ("event", event)]
        where text.utf8.count > maximumIdentifierBytes {
            throw invalid(line, "\(name) is longer than \(maximumIdentifierBytes) bytes")
        }
        var number: Double?
        switch value {
        case nil: number = nil
        case .number(let parsed): number = parsed
        case .text(let text):
            guard let parsed = AttributeValue.parseNumber(text) else {
                throw invalid(line, "value \"\(text)\" is not a number")
            }
            number = parsed
        }
        if let number, !number.isFinite {
            throw invalid(line, "value is not a finite number")
        }
        guard !occurredAt.isEmpty else { throw invalid(line, "missing occurred_at") }
        guard occurredAt.count >= 20, let date = PostgresTimestamp.parse(occurredAt) else {
            throw invalid(
                line,
                "occurred_at \"\(occurredAt)\" is not an RFC 3339 time like 2026-10-01T12:00:00Z")
        }
        return OutcomeEvent(
            eventID: eventID, unitID: unitID, event: event, value: number, occurredAt: date)
    }
}

/// Whether an `NSNumber` from `JSONSerialization` holds a JSON boolean, which
/// Foundation stores with the `char` type code.
private func isJSONBoolean(_ number: NSNumber) -> Bool {
    String(cString: number.objCType) == "c"
}
