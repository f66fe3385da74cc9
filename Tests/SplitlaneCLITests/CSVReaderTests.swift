import Foundation
import Testing

@testable import SplitlaneCLI

@Suite("Streaming CSV")
struct CSVReaderTests {
    /// Reads `text` through a pipe, as the CLI reads stdin.
    static func records(_ text: String) throws -> [(Int, [String])] {
        var pipe: [Int32] = [0, 0]
        #expect(Foundation.pipe(&pipe) == 0)
        let bytes = Array(text.utf8)
        let writeEnd = pipe[1]
        let writer = Thread {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(writeEnd, raw.baseAddress! + offset, min(4096, raw.count - offset))
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(writeEnd)
        }
        writer.start()
        defer { close(pipe[0]) }

        var result: [(Int, [String])] = []
        try CSVReader(fileDescriptor: pipe[0]).forEachRecord { record in
            result.append((record.line, (0..<record.count).map { record.string($0) ?? "<invalid>" }))
        }
        return result
    }

    @Test func quotedFieldsKeepCommasQuotesAndLineBreaks() throws {
        let text = "unit_id,note\r\nu1,\"a, b\"\n\"u\"\"2\",\"two\nlines\"\nu3,\n"

        let rows = try Self.records(text)

        #expect(rows.map(\.0) == [1, 2, 3, 5])
        #expect(rows.map(\.1) == [["unit_id", "note"], ["u1", "a, b"], ["u\"2", "two\nlines"], ["u3", ""]])
    }

    @Test func lastLineNeedsNoLineBreak() throws {
        let rows = try Self.records("unit_id\nu1\nu2")

        #expect(rows.map(\.1) == [["unit_id"], ["u1"], ["u2"]])
    }

    @Test func largeInputStreamsAcrossChunks() throws {
        var text = "unit_id,score\n"
        for index in 0..<150_000 { text += "unit-\(index),\(index % 11)\n" }

        let rows = try Self.records(text)

        #expect(rows.count == 150_001)
        #expect(rows.last?.1 == ["unit-149999", "3"])
        #expect(rows.last?.0 == 150_001)
    }

    @Test func strayQuoteNamesItsLine() {
        #expect(throws: CSVReader.FormatError.self) {
            try Self.records("unit_id\nu1\nu\"2\n")
        }
    }
}
