import SplitlaneJSON
import Testing

struct JSONParserTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        (" false ", .bool(false)),
        ("0", .number(0)),
        ("-0.5", .number(-0.5)),
        ("12345678901234", .number(12_345_678_901_234)),
        ("1e3", .number(1000)),
        ("2.5E-2", .number(0.025)),
        ("1E+2", .number(100)),
        ("123456789012345678901234567890", .number(1.2345678901234568e29)),
        ("-9007199254740993", .number(-9_007_199_254_740_992)),
        ("\"\"", .string("")),
        ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", .string("a\"b\\c/d\u{8}\u{C}\n\r\t")),
        ("\"\\u00e9\\u20AC\"", .string("é€")),
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("\"é😀\"", .string("é😀")),
        ("[]", .array([])),
        ("[1, [2, []], {}]", .array([.number(1), .array([.number(2), .array([])]), .object([])])),
        ("{\"b\":1,\"a\":[null]}", .object([("b", .number(1)), ("a", .array([.null]))])),
        ("\t\r\n{ \"k\" : \"v\" }\n", .object([("k", .string("v"))])),
    ])
    func parsesValidText(text: String, expected: JSONValue) throws {
        #expect(try JSONValue.parse(text) == expected)
    }

    @Test(arguments: [
        ("", 0, "expected a value"),
        ("{", 1, "member name"),
        ("{\"a\" 1}", 5, "':'"),
        ("{\"a\":1,}", 7, "member name"),
        ("[1,]", 3, "expected a value"),
        ("[1 2]", 3, "',' or ']'"),
        ("{\"a\":1 \"b\":2}", 7, "',' or '}'"),
        ("01", 0, "leading zero"),
        ("-", 1, "digit"),
        ("1.", 2, "digit after '.'"),
        ("1e", 2, "exponent"),
        (".5", 0, "expected a value"),
        ("+1", 0, "expected a value"),
        ("1e400", 0, "out of range"),
        ("NaN", 0, "expected a value"),
        ("tru", 0, "expected true"),
        ("nulll", 4, "after the JSON value"),
        ("{} x", 3, "after the JSON value"),
        ("\"abc", 0, "unterminated"),
        ("\"a\u{1}b\"", 2, "control character"),
        ("\"\\x\"", 1, "invalid escape"),
        ("\"\\u12\"", 1, "four hex digits"),
        ("\"\\ud800\"", 1, "lone high surrogate"),
        ("\"\\ud800\\u0041\"", 1, "not followed by a low one"),
        ("\"\\udc00\"", 1, "lone low surrogate"),
        ("{\"a\":1,\"a\":2}", 7, "duplicate member name \"a\""),
        ("'a'", 0, "expected a value"),
    ])
    func refusesInvalidTextWithItsPosition(text: String, offset: Int, reason: String) {
        do {
            let value = try JSONValue.parse(text)
            Issue.record("parsed \(text) as \(value)")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.offset == offset, "\(error)")
            #expect(error.reason.contains(reason), "\(error)")
        }
    }

    @Test(arguments: [
        [0x22, 0xC3, 0x28, 0x22],  // bad continuation byte
        [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // an encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // past U+10FFFF
        [0x22, 0xE2, 0x82],  // truncated
        [0x22, 0xFF, 0x22],
    ] as [[UInt8]])
    func refusesInvalidUTF8(bytes: [UInt8]) {
        do {
            _ = try JSONValue.parse(bytes)
            Issue.record("parsed \(bytes)")
        } catch {
            #expect(error.kind == .invalidUTF8, "\(error)")
            #expect(error.offset == 1)
        }
    }

    @Test func acceptsSixtyFourLevelsAndRefusesSixtyFive() throws {
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        var value = try JSONValue.parse(deep)
        var depth = 0
        while case .array(let inner) = value {
            depth += 1
            value = inner.first ?? .null
        }
        #expect(depth == 64)

        let tooDeep = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        #expect {
            try JSONValue.parse(tooDeep)
        } throws: { error in
            (error as? JSONParseError)?.reason.contains("deeper than 64") == true
        }
    }

    @Test func readsSlicesAndRoundTripsWhatItWrites() throws {
        let document = JSONValue.object([
            ("unit", .string("d-1 \"quoted\" \u{1}\n é")),
            ("n", .number(-12.75)),
            ("list", .array([.bool(true), .null, .number(3)])),
        ])
        let text = Array(("xx" + document.serialized() + "yy").utf8)
        #expect(try JSONValue.parse(text[2..<(text.count - 2)]) == document)
    }

    @Test func findsDuplicatesInLargeObjects() {
        let members = (0..<20).map { "\"k\($0)\":\($0)" } + ["\"k3\":0"]
        let text = "{" + members.joined(separator: ",") + "}"
        #expect(throws: JSONParseError.self) {
            try JSONValue.parse(text)
        }
    }
}
