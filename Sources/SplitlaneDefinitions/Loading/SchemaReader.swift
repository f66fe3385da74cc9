import Foundation

/// Reads schema-typed values out of YAML nodes, recording a located error for each
/// value that does not fit instead of stopping at the first.
///
/// Every reader returns `nil` after recording its error, so callers can go on
/// checking the rest of the file.
struct SchemaReader {
    let path: String
    var errors: [DefinitionError] = []

    init(path: String) {
        self.path = path
    }

    /// Records an error at a location.
    mutating func fail(at location: SourceLocation?, _ message: String) {
        errors.append(DefinitionError(path: path, location: location, message: message))
    }

    /// Records `<subject> must be <expectation>, got <what was written>` at a node.
    mutating func fail(_ node: YAMLNode, _ subject: String, mustBe expectation: String) {
        fail(at: node.location, "\(subject) must be \(expectation), got \(node.shownValue)")
    }

    // MARK: Collections

    /// The fields of a mapping, checked against the names the schema allows.
    ///
    /// Unknown and non-scalar keys are reported, with a hint when a known name is
    /// one or two edits away. A null value counts as an absent field.
    mutating func fields(
        of node: YAMLNode, _ subject: String, allowed: [String]
    ) -> Fields? {
        guard case .mapping(let entries) = node.kind else {
            fail(node, subject, mustBe: "a mapping")
            return nil
        }

        var fields = Fields(location: node.location)
        for entry in entries {
            guard let name = entry.key.scalarText, entry.key.tag == nil else {
                fail(entry.key, "a key in \(subject)", mustBe: "a plain name")
                continue
            }
            guard allowed.contains(name) else {
                // A likely typo gets its fix; anything else gets the whole list.
                let shown = YAMLNode.escapeForMessage(name)
                if let hint = Suggestion.nearest(to: name, among: allowed) {
                    fail(
                        at: entry.key.location,
                        "expected a field of \(subject), got \"\(shown)\"; did you mean `\(hint)`?")
                } else {
                    let known = allowed.map { "`\($0)`" }.joined(separator: ", ")
                    fail(
                        at: entry.key.location,
                        "expected a field of \(subject) (\(known)), got \"\(shown)\"")
                }
                continue
            }
            fields.entries[name] = entry
        }
        return fields
    }

    /// The items of a list.
    mutating func list(_ node: YAMLNode, _ subject: String) -> [YAMLNode]? {
        guard case .sequence(let items) = node.kind else {
            fail(node, subject, mustBe: "a list")
            return nil
        }
        return items
    }

    // MARK: Scalars

    /// Any scalar's text, quoted or not; `nil` (with an error) for null, a
    /// collection, an explicit non-string tag or, unless allowed, empty text.
    mutating func string(
        _ node: YAMLNode, _ subject: String, allowEmpty: Bool = false
    ) -> String? {
        guard let text = node.scalarText, !node.isNull, isStringTag(node.tag) else {
            fail(node, subject, mustBe: "a string")
            return nil
        }
        guard allowEmpty || !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            fail(node, subject, mustBe: "a non-empty string")
            return nil
        }
        return text
    }

    /// A name matching `[a-z0-9][a-z0-9_-]{0,63}`: experiment, arm, metric and
    /// layer keys.
    mutating func key(_ node: YAMLNode, _ subject: String) -> String? {
        guard let text = string(node, subject) else { return nil }
        guard Self.isKey(text) else {
            fail(
                node, subject,
                mustBe: "1 to 64 of a-z, 0-9, `_` and `-`, starting with a letter or digit")
            return nil
        }
        return text
    }

    /// `true` or `false`, written plain; YAML 1.1's `yes`, `on` and `True` are not
    /// booleans here.
    mutating func bool(_ node: YAMLNode, _ subject: String) -> Bool? {
        if node.isPlainUntagged, let text = node.scalarText {
            if text == "true" { return true }
            if text == "false" { return false }
        }
        fail(node, subject, mustBe: "`true` or `false`")
        return nil
    }

    /// A whole number written plain in decimal digits without a leading zero,
    /// a sign, a fraction or an exponent, within `range`.
    mutating func integer(
        _ node: YAMLNode, _ subject: String, in range: ClosedRange<Int>, expectation: String
    ) -> Int? {
        guard node.isPlainUntagged, let text = node.scalarText, Self.isDecimalInteger(text),
            let value = Int(text), range.contains(value)
        else {
            fail(node, subject, mustBe: expectation)
            return nil
        }
        return value
    }

    /// A finite number written plain in JSON's grammar (`0.05`, `4.50`, `1e-3`).
    mutating func number(_ node: YAMLNode, _ subject: String, expectation: String) -> Double? {
        guard node.isPlainUntagged, let text = node.scalarText,
            let value = AttributeValue.parseNumber(text)
        else {
            fail(node, subject, mustBe: expectation)
            return nil
        }
        return value
    }

    /// One of an enumeration's raw values, quoted or not.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ node: YAMLNode, _ subject: String, as type: Choice.Type
    ) -> Choice? where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        if let text = node.scalarText, !node.isNull, isStringTag(node.tag),
            let value = Choice(rawValue: text)
        {
            return value
        }
        let listed = names.map { "`\($0)`" }.joined(separator: ", ")
        var message = "\(subject) must be one of \(listed), got \(node.shownValue)"
        if let text = node.scalarText, let hint = Suggestion.nearest(to: text, among: names) {
            message += "; did you mean `\(hint)`?"
        }
        fail(at: node.location, message)
        return nil
    }

    /// An RFC 3339 timestamp such as `2026-10-01T00:00:00Z`.
    mutating func timestamp(_ node: YAMLNode, _ subject: String) -> Date? {
        guard let text = node.scalarText, isStringTag(node.tag) || node.tag == Self.timestampTag,
            let date = Timestamp.parse(text)
        else {
            fail(node, subject, mustBe: "an RFC 3339 timestamp such as 2026-10-01T00:00:00Z")
            return nil
        }
        return date
    }

    // MARK: Rules on text

    static let timestampTag = "tag:yaml.org,2002:timestamp"

    /// Whether an explicit tag, if any, still says "string": `!` or `!!str`.
    func isStringTag(_ tag: String?) -> Bool {
        tag == nil || tag == "!" || tag == "tag:yaml.org,2002:str"
    }

    /// Whether text matches `[a-z0-9][a-z0-9_-]{0,63}`.
    static func isKey(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 64 else { return false }
        func isLowerOrDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard isLowerOrDigit(first) else { return false }
        return bytes.dropFirst().allSatisfy {
            isLowerOrDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }

    /// Whether text is `0` or `[1-9][0-9]*`.
    static func isDecimalInteger(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 18 else { return false }
        guard bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return false
        }
        return first != UInt8(ascii: "0") || bytes.count == 1
    }
}

/// The fields of one mapping, by name, after unknown names were reported.
struct Fields {
    var location: SourceLocation
    var entries: [String: YAMLEntry] = [:]

    /// The value of a field, or `nil` when it is absent or null.
    subscript(name: String) -> YAMLNode? {
        guard let value = entries[name]?.value, !value.isNull else { return nil }
        return value
    }

    /// Where the field's key is written, if it is present.
    func keyLocation(_ name: String) -> SourceLocation? {
        entries[name]?.key.location
    }
}
