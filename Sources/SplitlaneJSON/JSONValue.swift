/// A JSON document with object members kept in the order they were written.
///
/// splitlane's readouts, CLI answers and HTTP bodies are read by people as often as
/// by programs, so keys come out in a deliberate order (`experiment`, `unit`,
/// `arm`, …) rather than sorted or hashed.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .number(let value): hasher.combine(value)
        case .string(let value): hasher.combine(value)
        case .array(let values): hasher.combine(values)
        case .object(let members):
            for (key, value) in members {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }

    /// A number, or `null` when the value is absent or not finite: JSON has no NaN.
    public static func number(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .number(value)
    }

    /// A string, or `null` when absent.
    public static func string(_ value: String?) -> JSONValue {
        value.map(JSONValue.string) ?? .null
    }

    /// The member with the given key, when this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }
}

extension JSONValue {
    /// Compact serialization, without spaces.
    public func serialized() -> String {
        var output: [UInt8] = []
        write(to: &output, indent: nil, depth: 0)
        return String(decoding: output, as: UTF8.self)
    }

    /// Serialization indented by two spaces a level, for people.
    public func prettySerialized() -> String {
        var output: [UInt8] = []
        write(to: &output, indent: 2, depth: 0)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the compact serialization to a byte buffer.
    public func write(to output: inout [UInt8]) {
        write(to: &output, indent: nil, depth: 0)
    }

    private func write(to output: inout [UInt8], indent: Int?, depth: Int) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let value):
            output.append(contentsOf: JSONValue.format(value).utf8)
        case .string(let value):
            JSONValue.writeString(value, to: &output)
        case .array(let values):
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                JSONValue.writeSeparator(index: index, to: &output, indent: indent, depth: depth)
                value.write(to: &output, indent: indent, depth: depth + 1)
            }
            JSONValue.writeClosing(
                UInt8(ascii: "]"), isEmpty: values.isEmpty, to: &output, indent: indent,
                depth: depth)
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                JSONValue.writeSeparator(index: index, to: &output, indent: indent, depth: depth)
                JSONValue.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                if indent != nil { output.append(UInt8(ascii: " ")) }
                value.write(to: &output, indent: indent, depth: depth + 1)
            }
            JSONValue.writeClosing(
                UInt8(ascii: "}"), isEmpty: members.isEmpty, to: &output, indent: indent,
                depth: depth)
        }
    }

    /// Writes the comma before every item but the first, and the indentation.
    private static func writeSeparator(
        index: Int, to output: inout [UInt8], indent: Int?, depth: Int
    ) {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        if let indent {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * (depth + 1)))
        }
    }

    /// Writes the closing bracket, on its own indented line when the container has items.
    private static func writeClosing(
        _ close: UInt8, isEmpty: Bool, to output: inout [UInt8], indent: Int?, depth: Int
    ) {
        if let indent, !isEmpty {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * depth))
        }
        output.append(close)
    }

    /// Formats a finite number: integers without a fraction, others with the
    /// shortest representation that reads back to the same double.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and
    /// control characters.
    public static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let isPlain = text.utf8.allSatisfy { byte in
            byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
        }
        if isPlain {
            output.append(contentsOf: text.utf8)
            output.append(UInt8(ascii: "\""))
            return
        }
        let hex: StaticString = "0123456789abcdef"
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                output.append(contentsOf: "\\u00".utf8)
                output.append(hex.utf8Start[Int(byte >> 4)])
                output.append(hex.utf8Start[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
