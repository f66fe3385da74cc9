import Foundation
import Glibc
import HTTPServer
import Testing

@Suite struct LogfmtLoggerTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("/v1/assign", "/v1/assign"),
        ("two words", "\"two words\""),
        ("a=b", "\"a=b\""),
        ("say \"hi\"", #""say \"hi\"""#),
        ("", "\"\""),
        ("line\nbreak", #""line\nbreak""#),
        ("back\\slash", #""back\\slash""#),
    ])
    func valuesAreQuotedOnlyWhenNeeded(value: String, expected: String) {
        #expect(LogfmtLine.formatValue(value) == expected)
    }

    @Test func keysKeepSafeCharactersOnly() {
        #expect(LogfmtLine.formatKey("http.status_code") == "http.status_code")
        #expect(LogfmtLine.formatKey("bad key=") == "bad_key_")
        #expect(LogfmtLine.formatKey("") == "_")
    }

    @Test func lineCarriesLevelMessageAndFieldsInOrder() {
        let collected = ResultBox<String>(count: 1)
        let logger = LogfmtLogger(includesTimestamp: false) { collected.set(0, $0) }

        logger.log(
            .info, "request done", ["status": 200, "route": "/v1/assign", "note": "late parcel"])

        let expected =
            "level=info msg=\"request done\" status=200 route=/v1/assign note=\"late parcel\"\n"
        #expect(collected.values == [expected])
    }

    @Test func timestampIsRFC3339InUTCWithMilliseconds() throws {
        let collected = ResultBox<String>(count: 1)
        let logger = LogfmtLogger { collected.set(0, $0) }

        logger.log(.warning, "slow")

        let line = try #require(collected.values.first)
        let pattern = #/^ts=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z level=warning msg=slow\n$/#
        #expect(line.wholeMatch(of: pattern) != nil)
    }

    @Test(arguments: [false, true])
    func concurrentWritersNeverInterleaveLines(buffered: Bool) throws {
        // mkstemp replaces the six trailing X characters with a unique suffix.
        var template = Array(("/tmp/logfmt-test-" + String(repeating: "X", count: 6)).utf8CString)
        let descriptor = mkstemp(&template)
        try #require(descriptor >= 0)
        let path = String(
            decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let logger = LogfmtLogger(
            includesTimestamp: false, fileDescriptor: descriptor,
            flushInterval: buffered ? .milliseconds(5) : nil)
        let padding = String(repeating: "x", count: 300)

        _ = onThreads(8) { thread in
            for index in 0..<500 {
                logger.log(.info, "line", ["thread": thread, "index": index, "pad": padding])
            }
            return true
        }
        logger.flush()
        close(descriptor)

        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4_000)
        let wellFormed = lines.allSatisfy {
            $0.hasPrefix("level=info msg=line thread=") && $0.hasSuffix("pad=" + padding)
        }
        #expect(wellFormed)
        // Each thread's lines keep their order, buffered or not.
        for thread in 0..<8 {
            let indices = lines.filter { $0.contains("thread=\(thread) ") }.compactMap {
                $0.split(separator: " ").first { $0.hasPrefix("index=") }.flatMap { Int($0.dropFirst(6)) }
            }
            #expect(indices == Array(0..<500))
        }
    }
}
