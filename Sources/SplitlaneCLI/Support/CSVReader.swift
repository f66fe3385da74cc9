import Foundation

/// A streaming RFC 4180 CSV reader over a file descriptor.
///
/// Reads in 1 MiB chunks and hands each record to a closure as byte slices that are
/// valid only during the call, so memory stays flat whatever the file size. Quoted
/// fields may hold commas, doubled quotes and line breaks; `\r\n` and `\n` both end
/// a record. Line numbers count physical lines from 1 and name where a record starts.
final class CSVReader {
    private let fileDescriptor: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var isAtEnd = false
    private var line = 1
    private let chunk = 1 << 20

    /// Field bounds into `buffer`, or into `unescaped` when the field was quoted
    /// with doubled quotes inside.
    private var bounds: [(Int, Int, Bool)] = []
    private var unescaped: [UInt8] = []

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        buffer = [UInt8](repeating: 0, count: 1 << 21)
    }

    /// A record handed to the reader's closure.
    struct Record {
        let line: Int
        fileprivate let reader: CSVReader

        var count: Int { reader.bounds.count }

        /// Calls `body` with field `index`'s bytes.
        func withField<T>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
            let (lower, upper, isUnescaped) = reader.bounds[index]
            let storage = isUnescaped ? reader.unescaped : reader.buffer
            return try storage.withUnsafeBufferPointer { all in
                try body(UnsafeBufferPointer(rebasing: all[lower..<upper]))
            }
        }

        /// Field `index` as a string, or `nil` when its bytes are not valid UTF-8.
        func string(_ index: Int) -> String? {
            withField(index) { String(validating: $0, as: UTF8.self) }
        }
    }

    /// Errors in the file's structure, with the line where the record starts.
    struct FormatError: Error {
        var line: Int
        var message: String
    }

    /// Reads every record, in order, until the end of input or until `body` throws.
    func forEachRecord(_ body: (Record) throws -> Void) throws {
        while try nextRecord() {
            try body(Record(line: recordLine, reader: self))
        }
    }

    private var recordLine = 1

    /// Parses the next record into `bounds`; returns false at the end of input.
    private func nextRecord() throws -> Bool {
        while true {
            if let consumed = try parse(from: start) {
                start = consumed
                return true
            }
            if isAtEnd {
                guard start < end else { return false }
                // The last record has no line break after it.
                end = append(lineBreakAt: end)
                continue
            }
            try refill()
        }
    }

    private func append(lineBreakAt index: Int) -> Int {
        if index == buffer.count { buffer.append(0) }
        buffer[index] = UInt8(ascii: "\n")
        return index + 1
    }

    private func refill() throws {
        if start > 0 {
            let remaining = end - start
            buffer.withUnsafeMutableBytes { raw in
                _ = memmove(raw.baseAddress!, raw.baseAddress! + start, remaining)
            }
            end = remaining
            start = 0
        }
        if buffer.count - end < chunk {
            buffer.append(contentsOf: repeatElement(0, count: max(chunk, buffer.count)))
        }
        let count = buffer.withUnsafeMutableBytes { raw in
            read(fileDescriptor, raw.baseAddress! + end, raw.count - end)
        }
        if count < 0 {
            if errno == EINTR { return }
            throw FormatError(line: line, message: "cannot read input: \(String(cString: strerror(errno)))")
        }
        if count == 0 { isAtEnd = true }
        end += count
    }

    /// Parses one record starting at `position`; returns the index after its line
    /// break, or `nil` when the buffer ends first.
    private func parse(from position: Int) throws -> Int? {
        bounds.removeAll(keepingCapacity: true)
        unescaped.removeAll(keepingCapacity: true)
        var index = position
        var lines = 0
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
        let carriage = UInt8(ascii: "\r")

        return try buffer.withUnsafeBufferPointer { bytes -> Int? in
            while true {
                guard index < end else { return nil }
                if bytes[index] == quote {
                    // Quoted field: find the closing quote, unescaping "" pairs.
                    var cursor = index + 1
                    var hasEscapes = false
                    while true {
                        guard cursor < end else { return nil }
                        let byte = bytes[cursor]
                        if byte == quote {
                            guard cursor + 1 < end else { return nil }
                            if bytes[cursor + 1] == quote {
                                hasEscapes = true
                                cursor += 2
                                continue
                            }
                            break
                        }
                        if byte == newline { lines += 1 }
                        cursor += 1
                    }
                    if hasEscapes {
                        let lower = unescaped.count
                        var scan = index + 1
                        while scan < cursor {
                            unescaped.append(bytes[scan])
                            scan += bytes[scan] == quote ? 2 : 1
                        }
                        bounds.append((lower, unescaped.count, true))
                    } else {
                        bounds.append((index + 1, cursor, false))
                    }
                    index = cursor + 1
                    guard index < end else { return nil }
                    let next = bytes[index]
                    if next == carriage, index + 1 < end, bytes[index + 1] == newline {
                        index += 1
                    } else if next == carriage {
                        guard index + 1 < end else { return nil }
                    }
                    if bytes[index] == newline {
                        recordLine = line
                        line += lines + 1
                        return index + 1
                    }
                    guard bytes[index] == comma else {
                        throw FormatError(
                            line: line + lines, message: "unexpected text after a closing quote")
                    }
                    index += 1
                    continue
                }

                // Unquoted field: up to the next comma or line break.
                var cursor = index
                while cursor < end, bytes[cursor] != comma, bytes[cursor] != newline {
                    if bytes[cursor] == quote {
                        throw FormatError(
                            line: line + lines, message: "a quote inside an unquoted field")
                    }
                    cursor += 1
                }
                guard cursor < end else { return nil }
                var upper = cursor
                if bytes[cursor] == newline, upper > index, bytes[upper - 1] == carriage {
                    upper -= 1
                }
                bounds.append((index, upper, false))
                if bytes[cursor] == newline {
                    recordLine = line
                    line += lines + 1
                    return cursor + 1
                }
                index = cursor + 1
            }
        }
    }
}
