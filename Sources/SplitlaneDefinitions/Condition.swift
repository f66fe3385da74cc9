/// A value sent with a unit: from HTTP JSON, a CSV column or `--attr k=v`.
public enum AttributeValue: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)

    /// Text used for equality and set membership, and for segment values:
    /// strings as they are, integral numbers without a fraction (`6`, not `6.0`),
    /// booleans as `true`/`false`.
    public var text: String {
        switch self {
        case .string(let value): return value
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return AttributeValue.format(value)
        }
    }

    /// The numeric value for ordering comparisons: numbers as they are, and strings
    /// that read as a finite decimal number (`"5"`, `"4.5"`). Booleans have none.
    public var number: Double? {
        switch self {
        case .number(let value): return value
        case .string(let value): return AttributeValue.parseNumber(value)
        case .bool: return nil
        }
    }

    /// Reads a field that arrived as text (CSV cell, `--attr` value): a decimal
    /// number in JSON's grammar becomes `.number`, anything else stays `.string`,
    /// so `0800` and `no` remain strings.
    public init(inferringFrom text: String) {
        if let number = AttributeValue.parseNumber(text) {
            self = .number(number)
        } else {
            self = .string(text)
        }
    }

    /// Formats a number the way attribute text shows it.
    static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }

    /// Parses a number written in JSON's grammar: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
    /// Rejects leading zeros (`0800`), a leading `+`, `inf`, `nan` and hex.
    public static func parseNumber(_ text: String) -> Double? {
        var bytes = Array(text.utf8)[...]
        guard !bytes.isEmpty else { return nil }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            let count = bytes.prefix { $0 >= 0x30 && $0 <= 0x39 }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        let integerStart = bytes.first
        let integerDigits = digits()
        guard integerDigits > 0 else { return nil }
        if integerStart == UInt8(ascii: "0"), integerDigits > 1 { return nil }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return nil }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            guard digits() > 0 else { return nil }
        }
        guard bytes.isEmpty, let value = Double(text), value.isFinite else { return nil }
        return value
    }
}

/// A scalar operand written in an eligibility condition.
///
/// YAML gives no type to `6`, `no` or `0800`; the condition keeps the text as
/// written and, when the text is a JSON-grammar number, its numeric value too.
/// Equality compares numbers numerically when both sides are numbers, and text
/// otherwise, so `{ eq: 0800 }` matches the string `"0800"` and `{ eq: no }` the
/// string `"no"`.
public struct ConditionValue: Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var number: Double?

    /// Keeps the text as written and, when it is a JSON-grammar number, its value.
    public init(text: String) {
        self.text = text
        self.number = AttributeValue.parseNumber(text)
    }

    public var description: String { text }

    /// Whether an attribute value equals this operand.
    public func matches(_ value: AttributeValue) -> Bool {
        if case .number(let actual) = value, let number {
            return actual == number
        }
        return value.text == text
    }
}

/// One eligibility condition on one attribute. A condition on a missing attribute is
/// false, except `exists: false`.
public struct Condition: Sendable, Hashable {
    public var attribute: String
    public var test: Test

    /// Creates a condition that applies `test` to one attribute.
    public init(attribute: String, test: Test) {
        self.attribute = attribute
        self.test = test
    }

    /// The comparison a condition makes, one case per YAML operator.
    public enum Test: Sendable, Hashable {
        case equal(ConditionValue)
        case notEqual(ConditionValue)
        case oneOf([ConditionValue])
        case noneOf([ConditionValue])
        case less(Double)
        case lessOrEqual(Double)
        case greater(Double)
        case greaterOrEqual(Double)
        case exists(Bool)

        /// The operator's name in YAML.
        public var operatorName: String {
            switch self {
            case .equal: return "eq"
            case .notEqual: return "ne"
            case .oneOf: return "in"
            case .noneOf: return "not_in"
            case .less: return "lt"
            case .lessOrEqual: return "lte"
            case .greater: return "gt"
            case .greaterOrEqual: return "gte"
            case .exists: return "exists"
            }
        }
    }

    /// Whether the condition holds for a unit's attributes.
    public func isSatisfied(by attributes: [String: AttributeValue]) -> Bool {
        guard let value = attributes[attribute] else {
            if case .exists(let expected) = test { return !expected }
            return false
        }
        switch test {
        case .equal(let operand): return operand.matches(value)
        case .notEqual(let operand): return !operand.matches(value)
        case .oneOf(let operands): return operands.contains { $0.matches(value) }
        case .noneOf(let operands): return !operands.contains { $0.matches(value) }
        case .less(let bound): return value.number.map { $0 < bound } ?? false
        case .lessOrEqual(let bound): return value.number.map { $0 <= bound } ?? false
        case .greater(let bound): return value.number.map { $0 > bound } ?? false
        case .greaterOrEqual(let bound): return value.number.map { $0 >= bound } ?? false
        case .exists(let expected): return expected
        }
    }
}
