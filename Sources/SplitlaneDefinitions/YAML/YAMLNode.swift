/// One node of a parsed YAML document, with where it was written.
///
/// The tree keeps scalars as text: typing them is the schema's job, so that `no`
/// and `0800` stay strings wherever a string is expected.
struct YAMLNode: Sendable, Hashable {
    /// The node's content.
    var kind: Kind
    /// Where the node starts (for a scalar, its first character or opening quote).
    var location: SourceLocation
    /// The explicit tag (`!!str`, `!custom`), resolved to its full form, if any.
    var tag: String?

    enum Kind: Sendable, Hashable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLEntry])
    }

    /// How a scalar was written; only plain scalars may be read as numbers,
    /// booleans or null.
    enum ScalarStyle: Sendable, Hashable {
        case plain
        case singleQuoted
        case doubleQuoted
        case literal
        case folded
    }
}

/// One `key: value` pair of a mapping; the key keeps its own location.
struct YAMLEntry: Sendable, Hashable {
    var key: YAMLNode
    var value: YAMLNode
}

extension YAMLNode {
    /// The text of a scalar node, or `nil` for collections.
    var scalarText: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    /// Whether this is a plain scalar with no explicit tag, the only kind of scalar
    /// the schema reads as a number, a boolean or null.
    var isPlainUntagged: Bool {
        if case .scalar(_, .plain) = kind { return tag == nil }
        return false
    }

    /// Whether the node is YAML's null: an untagged plain `null`, `~` or nothing.
    var isNull: Bool {
        guard isPlainUntagged, let text = scalarText else { return false }
        return text.isEmpty || text == "~" || text == "null"
    }

    /// How error messages quote what was written: a scalar's text in double
    /// quotes (marked when it was quoted), or the kind of collection.
    var shownValue: String {
        switch kind {
        case .scalar(let text, let style):
            if isNull { return "null" }
            let quoted = "\"" + Self.escapeForMessage(text) + "\""
            switch style {
            case .plain: return tag == nil ? quoted : quoted + " (tagged \(tag ?? ""))"
            case .singleQuoted, .doubleQuoted: return quoted + " (a quoted string)"
            case .literal, .folded: return quoted + " (a block string)"
            }
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// Escapes control characters and shortens long text so a message stays on
    /// one readable line.
    static func escapeForMessage(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        if result.count > 60 {
            result = String(result.prefix(57)) + "..."
        }
        return result
    }
}
