/// Why a text is not JSON, with the byte offset where reading stopped.
public struct JSONParseError: Error, Sendable, Hashable {
    /// What kind of fault stopped the parser.
    public enum Kind: Sendable, Hashable {
        /// A byte sequence that is not UTF-8, or that encodes a surrogate or an overlong form.
        case invalidUTF8
        /// Anything else: bad syntax, a lone surrogate escape, too deep, out of range.
        case syntax
    }

    /// The kind of fault.
    public var kind: Kind

    /// The zero-based byte offset of the fault in the input.
    public var offset: Int

    /// What was expected or what was wrong, such as `expected ':' after an object key`.
    public var reason: String

    /// Creates an error from its parts.
    public init(kind: Kind, offset: Int, reason: String) {
        self.kind = kind
        self.offset = offset
        self.reason = reason
    }
}

extension JSONParseError: CustomStringConvertible {
    /// The reason and the byte offset, such as `expected a value, got ']' at byte 7`.
    public var description: String {
        "\(reason) at byte \(offset)"
    }
}

extension JSONValue {
    /// The deepest nesting of arrays and objects `parse` accepts.
    public static let maximumDepth = 64

    /// Parses UTF-8 JSON text (RFC 8259) strictly: any value at the top, nothing but
    /// whitespace after it, valid UTF-8 only, no lone surrogate escapes, no duplicate
    /// member names, at most `maximumDepth` levels; numbers become `Double`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer: buffer) }
        }
        if let result {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer: buffer) }
        }.get()
    }

    /// Parses UTF-8 JSON text; see `parse(_:)` for the rules.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private static func parse(
        buffer: UnsafeBufferPointer<UInt8>
    ) throws(JSONParseError) -> JSONValue {
        var reader = JSONReader(bytes: buffer)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        guard reader.position == buffer.count else {
            throw reader.fail("unexpected \(reader.describeCurrent()) after the JSON value")
        }
        return value
    }
}

/// A cursor over UTF-8 bytes that reads one JSON value recursively.
private struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    func fail(_ reason: String, at offset: Int? = nil, kind: JSONParseError.Kind = .syntax)
        -> JSONParseError
    {
        JSONParseError(kind: kind, offset: offset ?? position, reason: reason)
    }

    /// The byte at the cursor, named for a message: `'x'`, `byte 0xC3`, `the end`.
    func describeCurrent() -> String {
        guard position < bytes.count else { return "end of input" }
        let byte = bytes[position]
        if byte >= 0x21, byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count < 2 ? "0" + hex : hex)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func readValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else {
            throw fail("expected a value, got end of input")
        }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try readLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try readLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try readLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw fail("expected a value, got \(describeCurrent())")
        }
    }

    mutating func readLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseError)
        -> JSONValue
    {
        let start = position
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else {
            throw fail("expected \(word)", at: start)
        }
        let pointer = word.utf8Start
        for index in 0..<count where bytes[position + index] != pointer[index] {
            throw fail("expected \(word)", at: start)
        }
        position += count
        return value
    }

    mutating func readArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else {
            throw fail("nesting deeper than \(JSONValue.maximumDepth) levels")
        }
        position += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try readValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else {
                throw fail("expected ',' or ']' in an array, got end of input")
            }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(values)
            default: throw fail("expected ',' or ']' in an array, got \(describeCurrent())")
            }
        }
    }

    mutating func readObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else {
            throw fail("nesting deeper than \(JSONValue.maximumDepth) levels")
        }
        position += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        var names = Set<String>()
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw fail("expected a member name in double quotes, got \(describeCurrent())")
            }
            let nameStart = position
            let name = try readString()
            if members.count < 8 {
                if members.contains(where: { $0.0 == name }) {
                    throw fail("duplicate member name \"\(name)\"", at: nameStart)
                }
            } else {
                if names.isEmpty { names = Set(members.map(\.0)) }
                guard names.insert(name).inserted else {
                    throw fail("duplicate member name \"\(name)\"", at: nameStart)
                }
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw fail("expected ':' after a member name, got \(describeCurrent())")
            }
            position += 1
            skipWhitespace()
            members.append((name, try readValue(depth: depth)))
            if !names.isEmpty { names.insert(name) }
            skipWhitespace()
            guard position < bytes.count else {
                throw fail("expected ',' or '}' in an object, got end of input")
            }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default: throw fail("expected ',' or '}' in an object, got \(describeCurrent())")
            }
        }
    }

    /// Reads a string literal starting at its opening quote.
    mutating func readString() throws(JSONParseError) -> String {
        position += 1
        let start = position

        // Fast path: no escapes; multi-byte sequences are validated as they come.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(
                    decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") {
                break
            }
            if byte < 0x20 {
                throw fail("control character in a string; escape it")
            }
            if byte < 0x80 {
                position += 1
            } else {
                try skipMultiByte()
            }
        }
        guard position < bytes.count else {
            throw fail("unterminated string", at: start - 1)
        }

        // Slow path: copy what was read and decode escapes.
        var output = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try readEscape(into: &output)
            case 0..<0x20:
                throw fail("control character in a string; escape it")
            case 0x80...:
                let first = position
                try skipMultiByte()
                output.append(contentsOf: bytes[first..<position])
            default:
                output.append(byte)
                position += 1
            }
        }
        throw fail("unterminated string", at: start - 1)
    }

    /// Checks one multi-byte UTF-8 sequence at the cursor and steps over it, refusing
    /// overlong forms, encoded surrogates and code points past U+10FFFF.
    mutating func skipMultiByte() throws(JSONParseError) {
        let lead = bytes[position]
        let count: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: count = 2
        case 0xE0: count = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: count = 3
        case 0xED: count = 3; high = 0x9F
        case 0xF0: count = 4; low = 0x90
        case 0xF1...0xF3: count = 4
        case 0xF4: count = 4; high = 0x8F
        default: throw fail("invalid UTF-8", kind: .invalidUTF8)
        }
        guard bytes.count - position >= count else {
            throw fail("truncated UTF-8 sequence", kind: .invalidUTF8)
        }
        let second = bytes[position + 1]
        guard second >= low, second <= high else {
            throw fail("invalid UTF-8", kind: .invalidUTF8)
        }
        for index in 2..<max(count, 2) where bytes[position + index] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8", kind: .invalidUTF8)
        }
        position += count
    }

    /// Decodes one escape at the cursor (a backslash), pairing UTF-16 surrogates.
    mutating func readEscape(into output: inout [UInt8]) throws(JSONParseError) {
        let start = position
        guard position + 1 < bytes.count else {
            throw fail("unterminated string")
        }
        let letter = bytes[position + 1]
        position += 2
        switch letter {
        case UInt8(ascii: "\""): output.append(0x22)
        case UInt8(ascii: "\\"): output.append(0x5C)
        case UInt8(ascii: "/"): output.append(0x2F)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try readHex4(escapeAt: start)
            var scalarValue = UInt32(unit)
            if unit >= 0xD800, unit <= 0xDBFF {
                guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else {
                    throw fail("lone high surrogate \\u\(hex(unit))", at: start)
                }
                position += 2
                let trail = try readHex4(escapeAt: position - 2)
                guard trail >= 0xDC00, trail <= 0xDFFF else {
                    throw fail("high surrogate \\u\(hex(unit)) not followed by a low one", at: start)
                }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(trail) - 0xDC00)
            } else if unit >= 0xDC00, unit <= 0xDFFF {
                throw fail("lone low surrogate \\u\(hex(unit))", at: start)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else {
                throw fail("invalid \\u escape", at: start)
            }
            output.append(contentsOf: scalar.utf8)
        default:
            throw fail("invalid escape in a string", at: start)
        }
    }

    private func hex(_ unit: UInt16) -> String {
        String(unit, radix: 16, uppercase: true)
    }

    mutating func readHex4(escapeAt start: Int) throws(JSONParseError) -> UInt16 {
        guard bytes.count - position >= 4 else {
            throw fail("\\u needs four hex digits", at: start)
        }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("\\u needs four hex digits", at: start)
            }
            unit = unit << 4 | UInt16(digit)
            position += 1
        }
        return unit
    }

    /// Reads `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` as a finite Double.
    mutating func readNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw fail("expected a digit in a number", at: position)
        }
        var integer: UInt64 = 0
        var digits = 0
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw fail("a number must not start with a leading zero", at: start)
            }
            digits = 1
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                if digits < 18 {
                    integer = integer &* 10 &+ UInt64(bytes[position] - UInt8(ascii: "0"))
                }
                digits += 1
                position += 1
            }
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("expected a digit after '.' in a number")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < bytes.count,
                bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")
            {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw fail("expected a digit in a number's exponent")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }

        // Up to 15 digits an integer is exact in a Double; longer text goes to strtod.
        if isInteger, digits <= 15 {
            let magnitude = Double(integer)
            return .number(negative ? -magnitude : magnitude)
        }
        let text = String(
            decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw fail("number \(text) is out of range", at: start)
        }
        return .number(value)
    }
}
