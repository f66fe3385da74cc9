import Foundation
import SplitlaneAssignment
import SplitlaneDefinitions
import SplitlaneStorage

/// Streams a CSV of units through an assigner and writes `unit_id,arm,reason` CSV.
///
/// Only the columns that eligibility reads become attributes, so a batch of an
/// experiment without eligibility never builds a dictionary per row.
struct BatchAssignment {
    var assigner: Assigner
    var time: Date
    var console: Console
    /// Called with every assigned row, for recording; `nil` when not recording.
    var onAssignment: ((String, Assignment, [String: AttributeValue]) throws -> Void)? = nil

    /// Assigns every row of `input` (a path, or `-` for standard input) and returns
    /// how many units were assigned.
    func run(input: String) throws -> Int {
        let descriptor: Int32
        if input == "-" {
            descriptor = STDIN_FILENO
        } else {
            descriptor = open(input, O_RDONLY)
            guard descriptor >= 0 else {
                throw CLIError("cannot open \(input): \(String(cString: strerror(errno)))")
            }
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }

        let name = input == "-" ? "stdin" : input
        do {
            return try assign(reader: CSVReader(fileDescriptor: descriptor), name: name)
        } catch let error as CSVReader.FormatError {
            throw CLIError("\(name):\(error.line): \(error.message); the batch stopped there")
        }
    }

    private func assign(reader: CSVReader, name: String) throws -> Int {
        var header: [String] = []
        var unitColumn = -1
        var attributeColumns: [(Int, String)] = []
        var wantsAllAttributes = onAssignment != nil
        let needed = assigner.eligibilityAttributes
        var count = 0
        var lastProgress = Date()

        console.write("unit_id,arm,reason\n")
        try reader.forEachRecord { record in
            if header.isEmpty {
                header = try (0..<record.count).map { index in
                    guard let field = record.string(index) else {
                        throw CLIError("\(name):\(record.line): the header is not valid UTF-8")
                    }
                    guard !field.utf8.contains(0) else {
                        throw CLIError("\(name):\(record.line): the header holds a NUL character")
                    }
                    return field
                }
                guard let column = header.firstIndex(of: "unit_id") else {
                    throw CLIError("\(name):\(record.line): the header has no unit_id column "
                        + "(columns: \(header.joined(separator: ", ")))")
                }
                unitColumn = column
                wantsAllAttributes = wantsAllAttributes && header.count > 1
                attributeColumns = header.enumerated()
                    .filter { $0.offset != column && (wantsAllAttributes || needed.contains($0.element)) }
                    .map { ($0.offset, $0.element) }
                return
            }

            guard record.count == header.count else {
                throw CLIError("\(name):\(record.line): expected \(header.count) fields, "
                    + "got \(record.count); the batch stopped there")
            }
            var attributes: [String: AttributeValue] = [:]
            for (index, attribute) in attributeColumns {
                guard let text = record.string(index) else {
                    throw CLIError("\(name):\(record.line): column \(attribute) is not valid UTF-8")
                }
                // PostgreSQL's text and jsonb hold no NUL, so a recorded batch would fail later.
                guard !text.utf8.contains(0) else {
                    throw CLIError("\(name):\(record.line): column \(attribute) holds a NUL character")
                }
                if !text.isEmpty { attributes[attribute] = AttributeValue(inferringFrom: text) }
            }

            let assignment = try record.withField(unitColumn) { unit -> Assignment in
                guard !unit.isEmpty else {
                    throw CLIError("\(name):\(record.line): unit_id is empty; the batch stopped there")
                }
                guard Self.isValidUTF8(unit) else {
                    throw CLIError("\(name):\(record.line): unit_id is not valid UTF-8")
                }
                guard !unit.contains(0) else {
                    throw CLIError("\(name):\(record.line): unit_id holds a NUL character")
                }
                guard unit.count <= maximumIdentifierBytes else {
                    throw CLIError(
                        "\(name):\(record.line): unit_id is longer than \(maximumIdentifierBytes) bytes")
                }
                let assignment = assigner.assign(unitUTF8: unit, attributes: attributes, at: time)
                writeRow(unit: unit, assignment: assignment)
                return assignment
            }
            if let onAssignment {
                try onAssignment(record.string(unitColumn) ?? "", assignment, attributes)
            }

            count += 1
            if count & 0xFFFF == 0, console.isErrorTerminal, Date().timeIntervalSince(lastProgress) > 0.25 {
                lastProgress = Date()
                console.progress("assigned \(count) units…")
            }
        }
        if header.isEmpty {
            throw CLIError("\(name): the input is empty; expected a header with a unit_id column")
        }
        console.endProgress()
        return count
    }

    private func writeRow(unit: UnsafeBufferPointer<UInt8>, assignment: Assignment) {
        let needsQuotes = unit.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"")
            || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        if needsQuotes {
            console.write(byte: UInt8(ascii: "\""))
            for byte in unit {
                if byte == UInt8(ascii: "\"") { console.write(byte: byte) }
                console.write(byte: byte)
            }
            console.write(byte: UInt8(ascii: "\""))
        } else {
            console.write(bytes: unit)
        }
        console.write(byte: UInt8(ascii: ","))
        if let arm = assignment.arm { console.write(arm) }
        console.write(byte: UInt8(ascii: ","))
        console.write(assignment.reason.rawValue)
        console.write(byte: UInt8(ascii: "\n"))
    }

    private static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if !bytes.contains(where: { $0 >= 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
