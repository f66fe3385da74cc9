/// A command line read against a ``CommandSpec``.
public struct ParsedArguments: Sendable {
    /// Positional values by argument name; a repeating argument holds several.
    public private(set) var positionals: [String: [String]] = [:]
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// The value of a single-valued option or positional argument.
    public func value(_ name: String) -> String? {
        values[name]?.last ?? positionals[name]?.first
    }

    /// Every value of a repeating option or positional argument, in order.
    public func values(_ name: String) -> [String] {
        values[name] ?? positionals[name] ?? []
    }

    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    mutating func add(value: String, for option: String) {
        values[option, default: []].append(value)
    }

    mutating func set(flag: String) {
        flags.insert(flag)
    }

    mutating func add(positional: String, for argument: String) {
        positionals[argument, default: []].append(positional)
    }
}

/// A command line that does not fit the command's declaration: exit status 2.
public struct UsageError: Error, Sendable, Equatable {
    public var message: String
    /// The command whose help explains the right usage.
    public var command: [String]

    public init(_ message: String, command: [String] = []) {
        self.message = message
        self.command = command
    }
}

/// Reads arguments against a ``CommandSpec``.
///
/// Accepts `--name value`, `--name=value`, `-x value`, flags, `--` to end options,
/// and `-` as a positional (standard input). Reports unknown options with the
/// closest known name.
public enum ArgumentParser {
    public static func parse(_ arguments: [String], as spec: CommandSpec) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var positionals: [String] = []
        var index = 0
        var optionsEnded = false

        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if optionsEnded || word == "-" || !word.hasPrefix("-") {
                positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }

            let (option, inlineValue) = try resolve(word, in: spec)
            if option.isFlag {
                if inlineValue != nil {
                    throw UsageError("option --\(option.name) takes no value", command: spec.path)
                }
                parsed.set(flag: option.name)
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            } else {
                throw UsageError(
                    "option --\(option.name) needs a value (\(option.valueName ?? "VALUE"))",
                    command: spec.path)
            }
            if !option.choices.isEmpty, !option.choices.contains(value) {
                let allowed = option.choices.joined(separator: ", ")
                throw UsageError(
                    "--\(option.name) must be one of \(allowed); got \"\(value)\"", command: spec.path)
            }
            if !option.isRepeating, parsed.values(option.name).count > 0 {
                throw UsageError("option --\(option.name) is given twice", command: spec.path)
            }
            parsed.add(value: value, for: option.name)
        }

        try assign(positionals, to: spec, into: &parsed)
        return parsed
    }

    private static func resolve(_ word: String, in spec: CommandSpec) throws(UsageError) -> (OptionSpec, String?) {
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            let name: Substring
            let value: String?
            if let equals = body.firstIndex(of: "=") {
                name = body[..<equals]
                value = String(body[body.index(after: equals)...])
            } else {
                name = body
                value = nil
            }
            if let option = spec.options.first(where: { $0.name == name }) {
                return (option, value)
            }
            var message = "unknown option --\(name)"
            if let hint = closest(String(name), among: spec.options.map(\.name)) {
                message += "; did you mean --\(hint)?"
            }
            throw UsageError(message, command: spec.path)
        }
        let letters = word.dropFirst()
        if letters.count == 1, let option = spec.options.first(where: { $0.shortName == letters.first }) {
            return (option, nil)
        }
        throw UsageError("unknown option \(word)", command: spec.path)
    }

    private static func assign(
        _ positionals: [String], to spec: CommandSpec, into parsed: inout ParsedArguments
    ) throws(UsageError) {
        var remaining = positionals[...]
        for argument in spec.arguments {
            if argument.isRepeating {
                for value in remaining {
                    parsed.add(positional: value, for: argument.name)
                }
                remaining = []
            } else if let value = remaining.popFirst() {
                parsed.add(positional: value, for: argument.name)
            } else if !argument.isOptional {
                throw UsageError("missing argument \(argument.name)", command: spec.path)
            }
        }
        if let extra = remaining.first {
            throw UsageError("unexpected argument \"\(extra)\"", command: spec.path)
        }
    }

    /// The candidate nearest to `word` by edit distance, if it is close enough to
    /// be a plausible typo.
    static func closest(_ word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, right) in b.enumerated() {
                let substitution = previous[j] + (left == right ? 0 : 1)
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
